#!/bin/sh
# embed.sh - turn a text file into a C string constant: embed.sh NAME FILE
set -eu
printf '/* generated from %s by scripts/embed.sh */\n' "$2"
printf 'extern const char %s[];\nconst char %s[] =\n' "$1" "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
printf ';\n'
