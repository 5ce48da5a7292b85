#!/bin/sh
# tests/sh/layout.sh [BUILD_DIR] - the folders show the architecture
# (docs/architecture.md), and the sources keep to it:
#   - each layer of fuzz/ may include only the headers of the layers it may
#     use (lang: itself; core: lang, ref; engines and tool: lang, core), an
#     allocator (impl/, ref/) only its own and include/bootfuzz/: every
#     #include "..." resolves there;
#   - fuzz/ holds the four layer folders and no loose source;
#   - every folder of the architecture has a README, and each README of a
#     source folder names every file in it (a file added without saying
#     what it does, or a README naming a file that is gone, fails);
#   - make coverage reports on every file of code in ref/ and impl/.
# The Makefile enforces the first point for the build (INC_*); this test
# says which include broke it and checks what the build cannot.
# Prints "ok - NAME" / "not ok - NAME".
cd "$(dirname "$0")/../.." || exit 2

check() { # check NAME CONDITION...
    _n=$1
    shift
    if "$@"; then echo "ok - $_n"; else echo "not ok - $_n"; fi
}

# allowed DIR: the folders DIR's sources may include from (besides include/)
allowed() {
    case $1 in
    fuzz/lang) echo "fuzz/lang" ;;
    fuzz/core) echo "fuzz/core fuzz/lang ref" ;;
    fuzz/engines) echo "fuzz/engines fuzz/core fuzz/lang" ;;
    fuzz/tool) echo "fuzz/tool fuzz/core fuzz/lang" ;;
    *) echo "$1" ;;
    esac
}

# bad_includes DIR: each '#include "X"' of DIR's .c/.h files that resolves
# outside the folders DIR may use and include/bootfuzz/, as FILE:LINE: X.
# As the compiler does: first beside the including file (so "../core/x.h"
# counts as where it leads), then in the folders the layer may use.
bad_includes() {
    _d=$1
    for _f in "$_d"/*.c "$_d"/*.h; do
        [ -f "$_f" ] || continue
        grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$_f" |
            sed 's/^\([0-9]*\):.*include[[:space:]]*"\([^"]*\)".*/\1 \2/' |
            while read -r _line _inc; do
                _at=""
                for _a in "$_d" $(allowed "$_d") include; do
                    [ -f "$_a/$_inc" ] && { _at=$(realpath -m --relative-to=. "$_a/$_inc"); break; }
                done
                _ok=0
                for _a in $(allowed "$_d") include/bootfuzz; do
                    [ -n "$_at" ] && [ "$(dirname "$_at")" = "$_a" ] && _ok=1
                done
                [ "$_ok" = 1 ] || echo "$_f:$_line: \"$_inc\" -> ${_at:-not found} (may use: $(allowed "$_d") include/bootfuzz)"
            done
    done
}

DIRS="fuzz/lang fuzz/core fuzz/engines fuzz/tool impl impl/fast ref"
out=$(for d in $DIRS; do bad_includes "$d"; done)
[ -z "$out" ] || printf '%s\n' "$out" >&2
check "every #include of fuzz/{lang,core,engines,tool}, impl/, impl/fast/, ref/ stays within the layers it may use" \
    [ -z "$out" ]

loose=$(find fuzz -maxdepth 1 -type f ! -name README.md)
[ -z "$loose" ] || printf 'loose in fuzz/: %s\n' "$loose" >&2
check "fuzz/ holds only its layer folders (lang core engines tool) and its README" \
    sh -c '[ -z "$1" ] && for l in lang core engines tool; do [ -d "fuzz/$l" ] || exit 1; done' _ "$loose"

missing=""
for d in fuzz fuzz/lang fuzz/core fuzz/engines fuzz/tool impl impl/fast ref bench scripts tests; do
    [ -s "$d/README.md" ] || missing="$missing $d"
done
[ -z "$missing" ] || echo "no README.md in:$missing" >&2
check "every folder of the architecture has a README.md" [ -z "$missing" ]

# the README of a source folder names each file of it, and no other
drift=""
for d in fuzz/lang fuzz/core fuzz/engines fuzz/tool impl impl/fast bench scripts; do
    # (scripts/README.md speaks for scripts/lib/ too)
    for f in "$d"/* $( [ "$d" = scripts ] && echo scripts/lib/*); do
        n=$(basename "$f")
        [ "$n" = README.md ] && continue
        [ -d "$f" ] && n="$n/"
        grep -qF "$n" "$d/README.md" || drift="$drift $d/$n (not in its README)"
    done
    for n in $(grep -o '`[A-Za-z0-9_./-]*\.\(c\|h\|txt\|dict\|gp\|sh\)`' "$d/README.md" | tr -d '`' | sort -u); do
        case $n in */*) p=$n ;; *) p=$d/$n ;; esac
        [ -e "$p" ] || [ -e "$d/$n" ] || [ -e "$d/lib/$n" ] || [ -e "include/$n" ] || drift="$drift $d/README.md names $n (no such file)"
    done
done
[ -z "$drift" ] || echo "README drift:$drift" >&2
check "each source folder's README names every file in it, and only files that exist" [ -z "$drift" ]

# make coverage reports on every file of ref/ and impl/ that holds code
# (a function body: a line "{" at the start), wherever a move puts it
covered=$(sh scripts/coverage --sources)
nocov=""
for f in $(grep -l '^{' ref/*.c ref/*.h impl/*.c impl/*.h impl/*/*.c impl/*/*.h 2>/dev/null); do
    printf '%s\n' "$covered" | grep -qxF "$f" || nocov="$nocov $f"
done
[ -z "$nocov" ] || echo "make coverage leaves out:$nocov" >&2
check "make coverage reports on every file of code in ref/ and impl/ ($(printf '%s\n' "$covered" | grep -c .) files)" [ -z "$nocov" ]

