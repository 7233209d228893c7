# tests/vm/guest/tests/clients-lib.sh: shared by the clients-* guest tests (sourced; not
# executable, so tests/vm/run does not take it for a test). Builds on the DRM session helpers
# (tests/vm/helpers/session.sh: wait_for, client_start, screen_expect, fail...) and adds planar
# on the headless backend and the sample clients' checks.
# shellcheck shell=bash
source "$PLANAR_SRC/tests/vm/helpers/session.sh"

clients_dir=$PLANAR_BUILD/clients
: "${PLANAR_DEBUG:=core,dmabuf,client}"
export PLANAR_DEBUG

clients_init() {
	session_init
	local c
	for c in planar-heap planar-camera planar-gbm planar-feedback; do
		[[ -x $clients_dir/$c ]] || fail "no $c at $clients_dir (ninja -C $PLANAR_BUILD)"
	done
	write_config "$RESULT_DIR/planar.ini"
}

# planar headless with pixman (the CPU importer: exact pixels) and one 1024x768 output, so
# session.sh's readiness check and vm-screen apply unchanged.
planar_start_headless() {
	rm -f "$XDG_RUNTIME_DIR/$socket" "$XDG_RUNTIME_DIR/$socket.lock"
	echo "  starting: planar --backend headless --renderer pixman --output 1024x768@60 --socket $socket $*"
	local_planar_log
	"$planar" --backend headless --renderer pixman --output 1024x768@60 --socket "$socket" \
		--config "$RESULT_DIR/planar.ini" "$@" >"$planar_log" 2>&1 &
	planar_pid=$!
	planar_pids+=("$planar_pid")
	wait_for 120 "planar socket and 1024x768 output (see planar.log)" planar_ready
	grep -q 'linux-dmabuf' "$planar_log" || echo "  note: planar's log does not mention linux-dmabuf"
}

# run_client SECONDS NAME ARGS...: runs a client to completion, its output relayed indented and
# kept in $RESULT_DIR/NAME.out; sets $client_out and $client_status.
run_client() {
	local seconds=$1 name=$2
	shift 2
	client_out=$RESULT_DIR/$name.out
	client_status=0
	timeout -s TERM -k 10 "$seconds" "$clients_dir/$@" >"$client_out" 2>&1 || client_status=$?
	sed 's/^/    /' "$client_out"
	((client_status != 124)) || fail "$name still ran after ${seconds}s"
}

# expect_frames N: the statistics line of the last run_client says N frames were committed and
# at least one was presented.
expect_frames() {
	local n=$1 line
	((client_status == 0)) || fail "$(basename "$client_out" .out) exited with status $client_status: $(tail -n 1 "$client_out")"
	line=$(grep -E ': [0-9]+ frames committed, [0-9]+ presented' "$client_out" | tail -n 1 || true)
	[[ -n $line ]] || fail "no statistics line in $client_out"
	local committed presented
	committed=$(sed -E 's/.*: ([0-9]+) frames committed.*/\1/' <<<"$line")
	presented=$(sed -E 's/.*committed, ([0-9]+) presented.*/\1/' <<<"$line")
	((committed == n)) || fail "$committed frames committed, expected $n"
	((presented > 0)) || fail "no frame was presented: $line"
}

# The negotiation line a client printed ("planar-heap: device ... format ... modifier ...").
negotiation_line() {
	grep -m 1 -E '^planar-[a-z]+: device .* format .* modifier ' "$1" || true
}

# client_bg NAME CMD...: a client in the background with its own log $RESULT_DIR/NAME.out (the
# waits below read only its output); stopped by client_stop or the session cleanup.
client_bg() {
	local name=$1
	shift
	client_out=$RESULT_DIR/$name.out
	"$@" >"$client_out" 2>&1 &
	client_pid=$!
	client_pids+=("$client_pid")
}
