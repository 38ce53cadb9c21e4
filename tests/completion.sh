#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the bash completion (toolstack/cli/xballoon.bash-completion)
# against the build tree's xballoon and a fake xenstore (xenstore-list and
# xenstore-read stubs on PATH): commands, options, domain names. TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
comp=$root/toolstack/cli/xballoon.bash-completion
printf '#!/bin/sh\nLD_LIBRARY_PATH=%s/toolstack exec %s/toolstack/xballoon "$@"\n' "$root" "$root" >"$tmp/xballoon"
cat >"$tmp/xenstore-list" <<'FK'
#!/bin/sh
[ "$1" = /local/domain ] && printf '0\n3\n7\n12\n'
FK
cat >"$tmp/xenstore-read" <<'FK'
#!/bin/sh
case $1 in
/local/domain/0/name) echo Domain-0 ;;
/local/domain/3/name) echo web1 ;;
/local/domain/7/name) echo 'two words' ;;
/local/domain/12/name) echo web2 ;;
*) exit 1 ;;
esac
FK
chmod +x "$tmp"/*
n=0
tap() {	# tap RESULT-WORDS EXPECTED-WORDS NAME
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"
	else echo "not ok $n - $3: got '$1', want '$2'"; fi
}
# complete WORD... : the sorted candidates for the last word
complete_words() {
	PATH="$tmp:$PATH" bash --norc -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_xballoon; ((${#COMPREPLY[@]})) || exit 0
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' \
		_ "$comp" "$@"
}
echo "1..12"
# installed as bash-completion loads it: on demand from
# $XDG_DATA_DIRS/bash-completion/completions/xballoon, in an interactive bash
make -s -C toolstack install DESTDIR="$tmp/dest" PREFIX=/usr >/dev/null 2>&1
reg=$(XDG_DATA_DIRS="$tmp/dest/usr/share" HOME="$tmp" PATH="$tmp:$PATH" bash --norc -i 2>/dev/null <<'SH' | grep -a '^complete '
source /usr/share/bash-completion/bash_completion
__load_completion xballoon
complete -p xballoon
SH
)
tap "$reg" "complete -F _xballoon xballoon" "an interactive bash with bash-completion loads the installed completion"
tap "$(complete_words xballoon '')" "--help create daemon-status help info list mem-max mem-policy mem-set release reserve wait watch " "commands"
tap "$(complete_words xballoon mem-)" "mem-max mem-policy mem-set " "commands by prefix"
tap "$(complete_words xballoon mem-set --w)" "--wait " "mem-set's options"
tap "$(complete_words xballoon watch --)" "--duration --interval --json --rate --stuck " "watch's options"
tap "$(complete_words xballoon mem-set --wait '')" "0 12 3 7 Domain-0 web1 web2 " \
	"domain names and ids from xenstore (a name with a blank is left out)"
tap "$(complete_words xballoon list we)" "web1 web2 " "domain names by prefix"
tap "$(complete_words xballoon wait --timeout '')" "" "no domains after an option that takes seconds"
tap "$(complete_words xballoon reserve --)" "--hold --interval --json --timeout " "reserve's options"
tap "$(complete_words xballoon help m)" "mem-max mem-policy mem-set " "help completes commands"
tap "$(complete_words xballoon daemon-status --)" "--json --run-dir " "daemon-status's options"
mkdir -p "$tmp/rd-one"
tap "$(cd "$tmp" && complete_words xballoon daemon-status --run-dir rd-)" "rd-one " "daemon-status --run-dir completes directories"
