# scripts/lib/common.sh - helpers shared by scripts/campaign, scripts/triage,
# scripts/report and scripts/lib/watchdog (sourced, POSIX sh).
#
# Why these exist: a campaign runs engines for hours and may be killed at any
# moment (kill -9, a reboot, Ctrl-C).  Everything it keeps on disk must be
# whole at every instant, and every process it started must be findable and
# stoppable by whoever comes next.  So:
#   - files are written to a temporary name in the same directory tree and
#     renamed into place (rename is atomic; a reader sees old or new, never half);
#   - a process is named by its pid AND its start time, so that a pid reused
#     by an unrelated process is never signalled;
#   - engines run in their own session (setsid), so one signal to the group
#     reaches a fork-mode parent and all its children, and a Ctrl-C at the
#     terminal reaches only the campaign, which then stops them in order.

# proc_start PID: the process's start time in clock ticks since boot (field
# 22 of /proc/PID/stat); fails if there is no such process or it is a zombie
# (a zombie has finished: it must count as gone).
proc_start() {
    _s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$_s" ] || return 1
    # the command name (field 2) may hold spaces and ')': cut after the last ')'
    _s=${_s##*) }
    # shellcheck disable=SC2086
    set -- $_s
    [ "$1" != Z ] || return 1
    shift 19
    echo "$1"
}

# proc_is PID START: the process PID is alive and is the one that started at START
proc_is() {
    [ -n "$1" ] && [ -n "$2" ] && [ "$(proc_start "$1" 2>/dev/null)" = "$2" ]
}

# group_alive PGID START: some process of the group still runs (zombies,
# finished but not yet reaped, do not count).  If the leader is gone, the
# group may still hold its children (a fork-mode libFuzzer's jobs); Linux
# never gives a new process a pid that is still in use as a process group
# id, so a group that still exists is still ours.
group_alive() {
    if _ls=$(proc_start "$1"); then
        # a live leader that is not the recorded one: the group is long gone
        [ "$_ls" = "$2" ]
        return
    fi
    for _m in $(pgrep -g "$1" 2>/dev/null); do
        proc_start "$_m" >/dev/null && return 0
    done
    return 1
}

# stop_group PGID START [GRACE]: SIGTERM to the whole group (the engines
# then write their final figures), SIGKILL after GRACE seconds (default 3)
# for whatever is left.  Never signals a group that is not the recorded one.
# Not SIGINT: a command started with & by a non-interactive shell starts
# with SIGINT ignored, and libFuzzer keeps it so.  And `kill -SIG -PGID`,
# not `kill -SIG -- -PGID`: dash's kill takes no "--" (Illegal number).
stop_group() {
    group_alive "$1" "$2" || return 0
    kill -TERM "-$1" 2>/dev/null
    _i=0
    while [ "$_i" -lt "$((${3:-3} * 5))" ] && group_alive "$1" "$2"; do
        sleep 0.2
        _i=$((_i + 1))
    done
    group_alive "$1" "$2" && kill -KILL "-$1" 2>/dev/null
    # a killed group disappears only once its members are reaped
    _i=0
    while [ "$_i" -lt 25 ] && group_alive "$1" "$2"; do
        sleep 0.2
        _i=$((_i + 1))
    done
    return 0
}

# stop_registered RUNDIR [GRACE]: stop every engine group registered in
# RUNDIR/engine.* (one line "PGID START" each), then forget them
stop_registered() {
    for _f in "$1"/engine.*; do
        [ -f "$_f" ] || continue
        case $_f in *.tmp) continue ;; esac
        read -r _pg _st _rest <"$_f" || continue
        stop_group "$_pg" "$_st" "${2:-3}"
        rm -f "$_f"
    done
}

# write_file PATH: stdin to PATH, atomically (temporary name, then rename)
write_file() {
    cat >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
}

# crash_point STEP: fault injection for the tests.  With
# BOOTFUZZ_CRASH_AT=STEP the campaign (and the script it runs, when STEP is
# in one of them) dies here by SIGKILL, as if the machine had cut it off:
# no trap runs, no cleanup happens.
crash_point() {
    [ "${BOOTFUZZ_CRASH_AT:-}" = "$1" ] || return 0
    echo "campaign: BOOTFUZZ_CRASH_AT=$1: SIGKILL now" >&2
    [ -n "${BOOTFUZZ_CAMPAIGN_PID:-}" ] && kill -KILL "$BOOTFUZZ_CAMPAIGN_PID" 2>/dev/null
    kill -KILL $$
}

artifact_kind() { # artifact_kind PATH: crash, timeout or oom (from the engine's naming)
    case $1 in
    */hangs/id:* | */hangs.*/id:* | */timeout-* | */slow-unit-*) echo timeout ;;
    */oom-*) echo oom ;;
    *) echo crash ;;
    esac
}

# list_artifacts WORK: every finding file engines wrote, one path a line:
# libFuzzer's WORK/artifacts/{crash,leak,oom,timeout,slow-unit}-<sha1>,
# AFL++'s WORK/afl/*/crashes/id:NNNNNN,... and WORK/afl/*/hangs/id:NNNNNN,...
# (hangs are timeouts), and the same in crashes.<date>/ and hangs.<date>/,
# where AFL++ moves a killed session's findings when it resumes (they are
# findings the last session may not have triaged).  Only the engines' own names: a user's tools write
# beside them (`bootfuzz minimize FILE` leaves FILE.min and FILE.min.trace,
# an editor a FILE~), and those are not new findings.  libFuzzer names an
# artifact by the sha1 of its bytes, so exactly 40 hex digits and nothing
# after; AFL++'s names are free text after "id:NNNNNN,", so there only the
# suffixes our tools and others add are refused.
list_artifacts() {
    {
        find "$1/artifacts" -maxdepth 1 -type f 2>/dev/null |
            grep -E '/(crash|leak|oom|timeout|slow-unit)-[0-9a-f]{40}$'
        find "$1/afl" -type f \( -path '*/crashes*/id:*' -o -path '*/hangs*/id:*' \) 2>/dev/null |
            grep -E '/(crashes|hangs)(\.[^/]*)?/id:[0-9]{6},[^/]*$' |
            grep -v -E '\.(min|trace|before|tmp|orig|bak)$|~$|\.tmp\.[0-9]+$'
    } | sort
}

# A signature as a directory name (awk; SLUG_AWK defines slug(s)): lower
# case, the comparisons as words (">=" ge, ">" gt, "<" lt, "=" eq), every
# other run of non-alphanumerics one "-", at most 100 characters:
#   BUG 2614 "start >= eidx" seed line 107  ->  bug-2614-start-ge-eidx-seed-line-107
#   MISMATCH free 2614=OK ref=EINVAL [outside-nodes]
#                               ->  mismatch-free-2614-eq-ok-ref-eq-einval-outside-nodes
# Two signatures may share a slug; group_dir below keeps them apart.
SLUG_AWK='function slug(s) {
    s = tolower(s); gsub(/>=/, " ge ", s); gsub(/<=/, " le ", s); gsub(/>/, " gt ", s)
    gsub(/</, " lt ", s); gsub(/=/, " eq ", s); gsub(/[^a-z0-9_]+/, "-", s)
    sub(/^-/, "", s); s = substr(s, 1, 100); sub(/-$/, "", s); return s
}'
slug_of() { printf '%s\n' "$1" | awk "$SLUG_AWK"' { print slug($0) }'; }

# group_dir PARENT SIGNATURE: the directory of PARENT that holds this
# signature's group: SLUG, or SLUG-2, SLUG-3... when a directory of that
# name holds another signature (its `signature` file, or the "signature
# (...): " line of its meta when minimization failed) or anything else but
# nothing at all.  The same signature always finds the same directory,
# whatever else was stored since.
group_dir() {
    _base="$1/$(slug_of "$2")"
    _d=$_base
    _n=1
    while [ -e "$_d" ] || { [ -f "$1/.moved" ] && awk -F'\t' -v n="${_d##*/}" '$1 == n { f = 1 } END { exit !f }' "$1/.moved"; }; do
        # (a name scripts/resign moved a group away from is never taken
        # again: a work directory that knew the group by it finds it moved)
        if [ ! -e "$_d" ]; then
            :
        elif [ -f "$_d/signature" ]; then
            [ "$(cat "$_d/signature")" = "$2" ] && break
        elif [ -f "$_d/meta" ]; then
            [ "$(sed -n 's/^signature[^:]*: //p' "$_d/meta" | head -n 1)" = "$2" ] && break
        elif [ -z "$(ls -A "$_d" 2>/dev/null)" ]; then
            break # empty: ours to fill
        fi
        # (anything else holds some other group: never taken for this one)
        _n=$((_n + 1))
        _d="$_base-$_n"
    done
    printf '%s\n' "$_d"
}

# group_path PARENT NAME: where the group triage once stored as NAME is now:
# PARENT/NAME, or where scripts/resign moved it (PARENT/.moved, "old<TAB>new",
# followed to its end); PARENT/NAME when it is nowhere.
group_path() {
    _n=$2
    _hops=0
    while [ ! -d "$1/$_n" ] && [ -f "$1/.moved" ] && [ "$_hops" -lt 20 ]; do
        _m=$(awk -F'\t' -v n="$_n" '$1 == n { m = $2 } END { print m }' "$1/.moved")
        [ -n "$_m" ] || break
        _n=$_m
        _hops=$((_hops + 1))
    done
    printf '%s\n' "$1/$_n"
}
