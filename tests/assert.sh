# Assertions for the shell suites (sourced, bash).  Each check prints
# "ok - name" or "not ok - name" with why; summary prints the closing
# "N passed, N failed" line and sets the exit status.

PASSED=0
FAILED=0

pass() {
	PASSED=$((PASSED + 1))
	echo "ok - $1"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
	return 0
}

# eq NAME GOT WANT
eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

# match NAME GOT REGEX
match() {
	if [[ $2 =~ $3 ]]; then pass "$1"; else fail "$1" "got:  $2" "want: /$3/"; fi
}

# nomatch NAME GOT REGEX
nomatch() {
	if [[ $2 =~ $3 ]]; then fail "$1" "got:  $2" "want no /$3/"; else pass "$1"; fi
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}
