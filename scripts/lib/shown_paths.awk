# scripts/lib/shown_paths.awk - paths in a mutant's messages as the user
# knows them (scripts/mutants): with -v p=COPY/ every occurrence of the
# mutant's copy of the tree is left out, and with -v u=DIR a user's backend,
# copied as user-backend/, is named where the user keeps it (DIR/), so a
# sanitizer's "user-backend/mine.c:213" reads "/home/me/alloc/mine.c:213".
{
    while (p != "" && (i = index($0, p)) > 0)
        $0 = substr($0, 1, i - 1) substr($0, i + length(p))
    if (u != "") {
        s = ""
        while ((i = index($0, "user-backend/")) > 0) {
            s = s substr($0, 1, i - 1) u "/"
            $0 = substr($0, i + length("user-backend/"))
        }
        $0 = s $0
    }
    print
}
