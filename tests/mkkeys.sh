#!/bin/sh
# mkkeys.sh - mint throwaway signing keys with the openssl CLI, for tests.
# SPDX-License-Identifier: BSD-2-Clause
#
#   mkkeys.sh DIR    writes DIR/{ca,certified,accepted,partner,rogue}.{key,crt}
#                    and DIR/env, which exports ESXSTAGE_SIGN_<LEVEL>_{CERT,KEY}
#
# The shapes mirror ESXi's trust store (vib-and-workflow.md B.2):
#   certified  self-signed, like "VMware Certified VIB Signing"
#   accepted   issued by the test root CA, O=VMware Inc, OU=Acceptance Signing,
#              extendedKeyUsage codeSigning only (why -purpose any is needed)
#   partner    issued by the test root CA, a partner's own subject
#   rogue      issued by a second, untrusted root CA
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"

req() { # NAME SUBJECT [EXTRA openssl req ARGS...]
	name=$1 subj=$2
	shift 2
	openssl req -new -newkey rsa:2048 -nodes -keyout "$name.key" \
	    -subj "$subj" -out "$name.csr" "$@" 2>/dev/null
}

cat >ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[serverauth]
basicConstraints = CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth
CNF

for root in ca rogueca; do
	req "$root" "/C=US/O=esxstage test/CN=esxstage $root root"
	openssl x509 -req -in "$root.csr" -signkey "$root.key" -days 3650 \
	    -extfile ext.cnf -extensions ca -out "$root.crt" 2>/dev/null
done

sign() { # NAME ISSUER SUBJECT EXTENSIONS
	req "$1" "$3"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
	    -CAcreateserial -days 3650 -extfile ext.cnf -extensions "$4" \
	    -out "$1.crt" 2>/dev/null
}

sign accepted ca "/C=US/O=VMware Inc/OU=Acceptance Signing/CN=Test Accepted VIB Signing" signer
sign partner ca "/C=US/O=Example Partner Corp/CN=Example Partner VIB Signing" signer
sign rogue rogueca "/C=US/O=Rogue Corp/CN=Rogue VIB Signing" signer
sign wrongpurpose ca "/C=US/O=Example Partner Corp/CN=Example TLS Server" serverauth
req certified "/C=US/O=esxstage test/CN=Test Certified VIB Signing"
openssl x509 -req -in certified.csr -signkey certified.key -days 3650 \
    -out certified.crt 2>/dev/null
rm -f ./*.csr ./*.srl

: >env
for level in certified accepted partner rogue wrongpurpose; do
	up=$(echo "$level" | tr '[:lower:]' '[:upper:]')
	echo "export ESXSTAGE_SIGN_${up}_CERT='$PWD/$level.crt'" >>env
	echo "export ESXSTAGE_SIGN_${up}_KEY='$PWD/$level.key'" >>env
done
