# real_depots.sh - the four real depot zips in ../shared, when present.
# SPDX-License-Identifier: BSD-2-Clause

# Every VIB id, version, vendor and component agrees with what the zip's
# own metadata says, read by an independent Python reader.
test_real_depots_match_their_metadata() {
	[ -d "$SHARED/real-depots" ] ||
	    { skip "../shared/real-depots is absent (a user's clone)"; return 0; }
	n=0
	for z in "$SHARED"/real-depots/*.zip; do
		"$PYTHON" "$TOP/tests/realmeta.py" "$z" "$DEPOT" >log 2>&1 ||
		    { cat log; return 1; }
		n=$((n + 1))
	done
	[ $n -ge 4 ] || fail "only $n real depots found"
}

test_real_depots_list_cleanly() {
	[ -d "$SHARED/real-depots" ] ||
	    { skip "../shared/real-depots is absent (a user's clone)"; return 0; }
	for z in "$SHARED"/real-depots/*.zip; do
		for verb in list-profiles list-vibs list-components info; do
			run "$DEPOT" "$verb" "$z"
			expect_status 0 || return 1
			[ ! -s "$T/err" ] || fail "$verb $z warned" || return 1
		done
	done
	run "$DEPOT" list-vibs "$SHARED/real-depots/ESXi80U3-VMKUSB-NIC-FLING-75399077-component-24052746.zip"
	expect_out "vmkusb-nic-fling  1.14-1vmw.803.0.0.75399077  VMW     2024-06-25     VMwareCertified"
}
