#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mutation testing of the driver's core (core/*.c), by hand-made mutants: each
# mutant changes one operator, constant or statement of one line, in a copy of
# the tree under /tmp (never in the checkout); the core's unit tests run
# against it (AddressSanitizer + UBSan), then, if they all pass, its two
# fuzzers for FUZZ_SECONDS each. A mutant that no test notices survives.
#
#   tests/unit/mutate.sh [--list] [--keep-going] [FILE.c ...]   (default core/*.c)
#   make -C tests/unit mutate
#
# Mutations: relational boundary and negation (< <= > >= == !=), arithmetic
# (+ - * / and their assignments, ++ --), && ||, removed !, integer constants
# (N -> N+1, N -> 0, 0 -> 1), true/false, and a simple statement replaced by
# ";". Lines in comments, strings and preprocessor directives are left alone.
#
# Survivors that are kept (equivalent mutants and the like) are listed, each
# with its reason, in tests/unit/mutate-kept.txt, keyed by file, the line's
# text and the mutation; tests/unit/README.md explains them. Exit status: 0
# when every survivor is a kept one, 1 otherwise, 2 on bad usage.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
list_only=0
files=()
for a in "$@"; do
	case $a in
	--list) list_only=1 ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mutate: unknown option $a" >&2; exit 2 ;;
	*) files+=("$a") ;;
	esac
done
cd "$root" || exit 2
[ ${#files[@]} -gt 0 ] || files=(core/*.c)
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
kept=$here/mutate-kept.txt

# One mutant a line: FILE<TAB>LINE<TAB>COLUMN(0-based)<TAB>OLD<TAB>NEW<TAB>N<TAB>
# FUNCTION, N telling apart the same change at several places of one line.
# Comments, strings and character constants are blanked before matching, so
# only code is mutated; binary operators are those with a space each side
# (kernel style), so pointer stars and unary minus are not taken for them.
list_mutants() {
	perl -e '
	for my $f (@ARGV) {
		open(my $fh, "<", $f) or die "$f: $!";
		my ($n, $inc, $prev, $fn) = (0, 0, ";", "-");
		while (my $l = <$fh>) {
			$n++;
			chomp $l;
			my $m = $l;
			# blank comments (also across lines), strings, chars
			if ($inc) {
				if ($m =~ s{^.*?\*/}{" " x length($&)}e) { $inc = 0 }
				else { $m = " " x length($m) }
			}
			$m =~ s{/\*.*?\*/}{" " x length($&)}ge;
			if ($m =~ s{/\*.*$}{" " x length($&)}e) { $inc = 1 }
			$m =~ s{//.*$}{" " x length($&)}e;
			$m =~ s{"(?:[^"\\]|\\.)*"}{" " x length($&)}ge;
			$m =~ s{\x27(?:[^\x27\\]|\\.)*\x27}{" " x length($&)}ge;
			next if $m =~ /^\s*#/ || $m =~ /^\s*$/;
			# the function being defined (a definition starts in column 0)
			$fn = $1 if $m =~ /^(?:static\s+)?\w[\w\s*]*?\b(\w+)\(/ && $m !~ /;\s*$/;
			my @mut;
			my %rel = ("<" => ["<=", ">="], "<=" => ["<", ">"],
				   ">" => [">=", "<="], ">=" => [">", "<"],
				   "==" => ["!="], "!=" => ["=="],
				   "&&" => ["||"], "||" => ["&&"],
				   "+" => ["-"], "-" => ["+"], "*" => ["/"], "/" => ["*"],
				   "%" => ["*"], "+=" => ["-="], "-=" => ["+="],
				   "*=" => ["/="], "/=" => ["*="]);
			while ($m =~ / (<=|>=|==|!=|&&|\|\||\+=|-=|\*=|\/=|<|>|\+|-|\*|\/|%) /g) {
				my ($op, $at) = ($1, $-[1]);
				push @mut, [$at, $op, $_] for @{$rel{$op}};
			}
			while ($m =~ /(\+\+|--)/g) {
				push @mut, [$-[1], $1, $1 eq "++" ? "--" : "++"];
			}
			while ($m =~ /!(?!=)/g) {
				push @mut, [$-[0], "!", ""];
			}
			while ($m =~ /(?<![\w.])(\d+)(ull|ul|u|ll|l)?\b/gi) {
				my ($v, $at) = ($1, $-[1]);
				next if $v =~ /^0\d/;
				if ($v == 0) { push @mut, [$at, $v, "1"] }
				else { push @mut, [$at, $v, $v + 1], [$at, $v, "0"] }
			}
			while ($m =~ /\b(true|false)\b/g) {
				push @mut, [$-[1], $1, $1 eq "true" ? "false" : "true"];
			}
			# a whole simple statement: not a declaration, return or jump,
			# and not the tail of a statement that started above
			my ($ind, $stmt) = $m =~ /^(\s+)([^\s}].*;)\s*$/;
			if (defined $stmt && $prev =~ /[;{}]\s*$|\)\s*$|^\s*else\s*$/ &&
			    $m !~ /^\s*(return|break|continue|goto|case|default|const|static|struct|enum|u8|u16|u32|u64|s64|int|long|bool|char|size_t|unsigned)\b/ &&
			    $m !~ /^\s*\w[\w*\s]*\s\**\w+(\[\w*\])?\s*(=.*)?;\s*$/) {
				push @mut, [length($ind), $stmt, ";"];
			}
			for my $x (@mut) {
				# the text as written (the match was on the blanked copy)
				$x->[1] = substr($l, $x->[0], length($x->[1]));
			}
			for my $x (@mut) {
				# which of the same OLD -> NEW on this line, from the left
				my $k = grep { $_->[1] eq $x->[1] && $_->[2] eq $x->[2] &&
					       $_->[0] < $x->[0] } @mut;
				print join("\t", $f, $n, @$x, $k + 1, $fn), "\n";
			}
			$prev = $m unless $m =~ /^\s*$/;
		}
	}' "$@"
}

# apply FILE LINE COL OLD NEW to the copy in $w
apply_mutant() {
	perl -i -e '
	my ($line, $col, $old, $new) = splice(@ARGV, 0, 4);
	while (<>) {
		if ($. == $line) {
			substr($_, $col, length($old)) eq $old or die "mutate: no \"$old\" at $line:$col\n";
			substr($_, $col, length($old)) = $new;
		}
		print;
	}' "$2" "$3" "$4" "$5" "$w/$1"
}

mapfile -t mutants < <(list_mutants "${files[@]}")
if [ $list_only = 1 ]; then
	printf '%s\n' "${mutants[@]}"
	exit 0
fi

w=$(mktemp -d /tmp/xb-mutate.XXXXXX)
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/tests/unit" "$w/tests/fuzz"
cp -a core "$w/"
cp tests/unit/test_core_*.c tests/unit/core_report_parse.[ch] "$w/tests/unit/"
cp tests/fuzz/fuzz_core_*.c "$w/tests/fuzz/"
[ -d tests/fuzz/corpus ] && cp -a tests/fuzz/corpus "$w/tests/fuzz/"

CFLAGS="-std=gnu11 -g -O1 -I$w/core -I$w/tests/unit -fno-omit-frame-pointer"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
tests=()
for t in "$w"/tests/unit/test_core_*.c; do tests+=("$(basename "$t" .c)"); done
fuzzers=()
for f in "$w"/tests/fuzz/fuzz_core_*.c; do fuzzers+=("$(basename "$f" .c)"); done
# The tests' objects and the unmutated core's are built once; per mutant
# only the mutated file is compiled, and its object put back afterwards.
mkdir -p "$w/obj" "$w/orig"
for t in "${tests[@]}" core_report_parse; do
	gcc $CFLAGS $SAN -c -o "$w/obj/$t.o" "$w/tests/unit/$t.c" || exit 2
done
for c in "$w"/core/*.c; do
	gcc $CFLAGS $SAN -c -o "$w/orig/$(basename "$c" .c).o" "$c" || exit 2
done
cp "$w"/orig/*.o "$w/obj/"

# run_unit [FILE]: 0 when every core unit test passes against the copy's
# core with FILE (core/NAME.c) recompiled; 1 when one fails; 3 no build
run_unit() {
	local t
	if [ -n "${1:-}" ]; then
		gcc $CFLAGS $SAN -w -c -o "$w/obj/$(basename "$1" .c).o" "$w/$1" \
			2>"$w/build.log" || return 3
	fi
	for t in "${tests[@]}"; do
		gcc $SAN -o "$w/$t" "$w/obj/$t.o" "$w/obj/core_report_parse.o" \
			"$w"/obj/xb_*.o -lcmocka 2>>"$w/build.log" || return 3
		timeout 10 "$w/$t" >"$w/$t.out" 2>&1 || return 1
	done
	return 0
}

# run_fuzz: 0 when no fuzzer finds a crash in FUZZ_SECONDS
run_fuzz() {
	local f seeds
	for f in "${fuzzers[@]}"; do
		clang $CFLAGS -w -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
			-o "$w/$f" "$w/tests/fuzz/$f.c" "$w/tests/unit/core_report_parse.c" \
			"$w"/core/*.c 2>>"$w/build.log" || return 3
		rm -rf "$w/corpus-$f"
		mkdir -p "$w/corpus-$f"
		seeds=
		[ -d "$w/tests/fuzz/corpus/$f" ] && seeds=$w/tests/fuzz/corpus/$f
		timeout $((FUZZ_SECONDS + 60)) "$w/$f" -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
			-rss_limit_mb=1024 -artifact_prefix="$w/$f-" "$w/corpus-$f" $seeds \
			>"$w/$f.log" 2>&1 || return 1
	done
	return 0
}

if ! run_unit; then
	echo "mutate: the unit tests fail on the unmutated core; fix that first" >&2
	cat "$w/build.log" "$w"/*.out >&2
	exit 2
fi

# key of a mutant in mutate-kept.txt:
#   FILE FUNCTION() | the line's text | OLD -> NEW [N]
mkey() {
	local text
	text=$(sed -n "$2p" "$root/$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
	printf '%s %s() | %s | %s -> %s [%s]' "$1" "$7" "$text" "$4" "$5" "$6"
}

total=${#mutants[@]} killed=0 by_build=0 by_fuzz=0 survived=0 unexpected=0 i=0
echo "mutate: $total mutants of ${files[*]} (fuzzers ${FUZZ_SECONDS}s each on unit-test survivors)"
for m in "${mutants[@]}"; do
	i=$((i + 1))
	# (tabs to a separator that is not white space: an empty NEW stays a field)
	IFS=$'\x1f' read -r file line col old new nth fn <<<"${m//$'\t'/$'\x1f'}"
	cp "$root/$file" "$w/$file"
	apply_mutant "$file" "$line" "$col" "$old" "$new" || exit 2
	run_unit "$file"
	rc=$?
	if [ $rc = 0 ]; then
		run_fuzz
		rc=$?
		if [ $rc = 1 ]; then
			by_fuzz=$((by_fuzz + 1))
			echo "fuzz     $file:$line  $old -> ${new:-(removed)}  (killed by a fuzzer only)"
		fi
	fi
	cp "$root/$file" "$w/$file"
	cp "$w/orig/$(basename "$file" .c).o" "$w/obj/"
	case $rc in
	1) killed=$((killed + 1)) ;;
	3)
		by_build=$((by_build + 1))
		echo "no build $file:$line  $old -> ${new:-(removed)}"
		;;
	*)
		survived=$((survived + 1))
		key=$(mkey "$file" "$line" "$col" "$old" "$new" "$nth" "$fn")
		if grep -qF -- "$key  #" "$kept" 2>/dev/null; then
			echo "kept     $file:$line  $old -> ${new:-(removed)}  $(grep -F -- "$key  #" "$kept" | head -1 | sed 's/.*  # //')"
		else
			unexpected=$((unexpected + 1))
			echo "SURVIVED $file:$line  $old -> ${new:-(removed)}"
			echo "         $key"
		fi
		;;
	esac
done
echo "mutate: $total mutants: $killed killed ($by_fuzz of them by the fuzzers only), $by_build did not build, $survived survived ($((survived - unexpected)) kept in $(basename "$kept"), $unexpected not)"
[ $unexpected = 0 ]
