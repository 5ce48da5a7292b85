# tests/sh/lib/counting.sh - sourced by tests that count the runs a script
# makes of a program instead of timing it (not a test itself).

# counting_wrapper WRAPPER REAL LOG TAG: writes WRAPPER, a program that
# appends "TAG FIRST-ARGUMENT" to LOG and then runs REAL with its arguments
# (any of the paths may hold spaces)
counting_wrapper() {
    printf '#!/bin/sh\nprintf "%%s\\n" "%s $1" >>"%s"\nexec "%s" "$@"\n' "$4" "$3" "$2" >"$1" &&
        chmod +x "$1"
}
