# Shared by the side-by-side speed scripts: build praudit and gen-trail
# first, set $runs, then `source benches/measure.sh [TRAIL]` (without TRAIL
# the benchmark trail is generated in target/bench-trail.bsm) and call
# `row NAME COMMAND...` with "$trail". Each row runs COMMAND $runs times
# with output to /dev/null and prints the median wall time (to the
# microsecond), records/s, MB/s and the largest peak memory (max RSS).

trail="${1:-target/bench-trail.bsm}"
if [ ! -f "$trail" ]; then
    ./target/release/gen-trail "$trail"
fi
records=$(./target/release/praudit -r "$trail" | grep -c '^20,\|^21,\|^116,\|^121,' || true)
bytes=$(stat -c %s "$trail")
echo "trail: $trail, $bytes bytes, $records records; median of $runs runs"

printf '%-34s %10s %14s %10s %10s\n' what seconds records/s MB/s maxRSS_MB

# Prints the median wall time of running "$@" $runs times, and the largest RSS.
measure() {
    local times=() rss=0 start end r
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        /usr/bin/time -f '%M' -o target/bench-time.txt "$@" > /dev/null
        end=$(date +%s%N)
        read -r r < target/bench-time.txt
        times+=("$(( (end - start) / 1000 ))")
        [ "$r" -gt "$rss" ] && rss=$r
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    echo "$median $rss"
}

row() {
    local name=$1
    shift
    local micros rss
    read -r micros rss < <(measure "$@")
    awk -v n="$name" -v us="$micros" -v r="$records" -v b="$bytes" -v m="$rss" 'BEGIN {
        s = us / 1e6; if (s <= 0) s = 1e-6;
        printf "%-34s %10.4f %14.0f %10.0f %10.1f\n", n, s, r / s, b / s / 1e6, m / 1024 }'
}
