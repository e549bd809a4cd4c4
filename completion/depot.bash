# depot.bash - bash completion for esxstage's depot and esxbundle commands.
# SPDX-License-Identifier: BSD-2-Clause
#
# Commands and options are read from the program's own --help, so the
# completion cannot drift from what the binary accepts.  Profile names
# are read from the depot already on the line (depot list-profiles).

# _esxstage_verbs PROG: the commands PROG --help lists.
_esxstage_verbs()
{
	"$1" --help 2>/dev/null | sed -n "s/^  $1 \([a-z-]*\).*/\1/p"
}

# _esxstage_options PROG VERB: the long options VERB --help describes.
_esxstage_options()
{
	"$1" "$2" --help 2>/dev/null |
	    sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\2/p'
}

# _esxstage_depot_on_line: the first operand that names a depot (a zip,
# an index file, a URL, or a folder holding an index).
_esxstage_depot_on_line()
{
	local w
	for w in "${COMP_WORDS[@]:2:COMP_CWORD-2}"; do
		# An unpacked depot or a mirror: a folder with its root index.
		if [ -f "$w/index.xml" ] || [ -f "$w/vmw-depot-index.xml" ]; then
			printf '%s\n' "$w"
			return
		fi
		case $w in
		-*) ;;
		*.zip | *index.xml | http://* | https://* | file://*)
			printf '%s\n' "$w"
			return
			;;
		esac
	done
}

_esxstage()
{
	local prog cur prev verb depot
	prog=${COMP_WORDS[0]##*/}
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W \
		    "$(_esxstage_verbs "$prog") help --help --version" -- "$cur")
		return
	fi
	verb=${COMP_WORDS[1]}
	if [ "$verb" = help ]; then
		mapfile -t COMPREPLY < <(compgen -W \
		    "$(_esxstage_verbs "$prog")" -- "$cur")
		return
	fi
	case $prev in
	--profile)
		depot=$(_esxstage_depot_on_line)
		if [ -n "$depot" ]; then
			depot=${depot/#\~/$HOME}
			mapfile -t COMPREPLY < <(compgen -W "$("$prog" \
			    list-profiles "$depot" 2>/dev/null |
			    awk 'NR > 2 { print $1 }')" -- "$cur")
		fi
		return
		;;
	--trust | --add | --depot | --intel-nvm | --token-file | --cacert | \
	    --host | --firmware)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--datastore | --dir | --jobs | --name | --vendor | --description | \
	    --esxi | --version | --remove | --acceptance | --vsanmode)
		return
		;;
	esac
	case $cur in
	-*)
		mapfile -t COMPREPLY < <(compgen -W \
		    "$(_esxstage_options "$prog" "$verb")" -- "$cur")
		return
		;;
	esac
	# show-profile's second operand is a profile of the first.
	if [ "$prog" = depot ] && [ "$verb" = show-profile ]; then
		depot=$(_esxstage_depot_on_line)
		if [ -n "$depot" ] && [ "$depot" != "$cur" ]; then
			depot=${depot/#\~/$HOME}
			mapfile -t COMPREPLY < <(compgen -W "$("$prog" \
			    list-profiles "$depot" 2>/dev/null |
			    awk 'NR > 2 { print $1 }')" -- "$cur")
			return
		fi
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -F _esxstage depot esxbundle
