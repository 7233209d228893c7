# tests/vm/helpers/session.sh: planar as a DRM desktop session inside the test guest, for the
# guest tests (tests/vm/guest/tests/drm-*, input). Sourced, not run:
#   source "$PLANAR_SRC/tests/vm/helpers/session.sh"
#
# Everything waits for a condition with a generous deadline (emulation is 10-50x slower than
# hardware); nothing asserts a duration. On a failure, `fail` prints one "FAIL: reason" line and
# leaves planar's log, the KMS state, the last screenshot and any backtrace in $RESULT_DIR.
#
#   session_init                 XDG_RUNTIME_DIR, core dumps, the planar binary; sets $planar
#   planar_start ARGS...         starts planar on the DRM backend (socket $socket) with ARGS,
#                                waits until the socket exists and the output is up
#   planar_alive                 planar still runs
#   planar_stop                  SIGTERM, wait for the exit; fails unless the status is 0
#   planar_wait_exit             waits for planar to exit on its own; sets $planar_status
#   wait_for SECONDS WHAT CMD... polls CMD until it succeeds (fails the test at the deadline, or
#                                at once when planar dies)
#   client_start NAME CMD...     starts a Wayland client in the background, output in
#                                $RESULT_DIR/clients.log; sets $client_pid
#   screen_expect BG [COLOUR WxH]...  takes screenshots until one shows exactly this
#   held_frame_screens NAME CMD...  screenshots while a client's frame waits on its fence
#   kms_expect_planar            planar's framebuffer on the primary plane, mode 1024x768
#   crash_check                  no planar segfault in dmesg, no backtrace file
#   client_dmabufs PID           inodes of the dma-bufs a client holds
#   overlay_is_client PID        an overlay plane shows one of a client's dma-bufs
#   fail REASON                  the verdict line, evidence, cleanup, exit 1
# shellcheck shell=bash

socket=wayland-vm
planar_pid=
planar_pids=()
planar_status=
planar_log=
planar_log_result= # where in $RESULT_DIR the log of the planar running now is kept
client_pids=()
screenshot=
# The serial console is slow; the log lands in $RESULT_DIR.
: "${PLANAR_DEBUG:=core,output,kms,input,client}"
export PLANAR_DEBUG

# The shell's helpers built by tests/vm/run, and the screenshot checks in Python.
bin=${PLANAR_VM_BIN:?PLANAR_VM_BIN is not set (run this through tests/vm/run)}
ppm() { /usr/bin/python3 "$PLANAR_SRC/tests/vm/helpers/vm-ppm.py" "$@"; }

session_init() {
	export XDG_RUNTIME_DIR=/run/planar-vm-runtime
	mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
	export WAYLAND_DISPLAY=$socket
	unset DISPLAY
	# libseat's builtin backend embeds seatd: planar runs as root in the guest.
	export LIBSEAT_BACKEND=${LIBSEAT_BACKEND:-builtin}
	# Without udevd libinput sees no device, and wlroots then refuses to start unless told that
	# this is expected; the input test (udevd, uinput devices) sets it to 0.
	export WLR_LIBINPUT_NO_DEVICES=${WLR_LIBINPUT_NO_DEVICES:-1}
	# A crash leaves a core in /tmp (the guest's tmpfs) for a backtrace.
	ulimit -c unlimited
	echo '/tmp/core.%p' >/proc/sys/kernel/core_pattern 2>/dev/null || true
	planar=$PLANAR_BUILD/compositor/planar
	[[ -x $planar ]] || fail "no planar binary at $planar (build it: meson setup DIR && ninja -C DIR)"
	planar_log=$RESULT_DIR/planar.log
	: >"$RESULT_DIR/clients.log"
	dmesg_start=$(dmesg | wc -l)
	trap session_cleanup EXIT
	# Any step that fails fails the test, with the step named: the ERR trap fires for every
	# simple command with a non-zero status outside a condition (if, while, until, &&, ||,
	# !), in functions and subshells too (errtrace). Steps that may fail say so (|| true).
	set -o errtrace
	trap 'step_failed $? "$BASH_COMMAND" "${BASH_SOURCE[0]##*/}:$LINENO"' ERR
}

step_failed() {
	trap - ERR
	if [[ $BASHPID != "$$" ]]; then
		# Inside $(...) or a pipeline: that subshell ends with status 1, and the step that
		# used it fails in the test's own shell (an assignment or a command takes the status).
		echo "  note: in a subshell, status $1 at $3: $2" >&2
		exit 1
	fi
	fail "step failed with status $1 at $3: $2"
}

# Kills what this test started (by pid), never anything else.
session_cleanup() {
	trap - ERR
	local pid
	for pid in "${client_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	if [[ -n $planar_pid ]] && kill -0 "$planar_pid" 2>/dev/null; then
		kill -TERM "$planar_pid" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$planar_pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$planar_pid" 2>/dev/null
	fi
	wait 2>/dev/null
	keep_planar_log
	return 0
}

# $RESULT_DIR is the host's folder (9p): under TCG each write there takes milliseconds, and
# planar writes a debug line or more per frame, which showed up as frame latency (fence signal
# -> presented). planar logs to the guest's tmpfs; the log is copied into $RESULT_DIR when
# planar exits and when the test ends. Tests read $planar_log: the live file.
local_planar_log() {
	if [[ $planar_log != /tmp/planar-logs/* ]]; then
		planar_log_result=$planar_log
		mkdir -p /tmp/planar-logs
		planar_log=/tmp/planar-logs/$(basename "$planar_log")
	fi
}
keep_planar_log() {
	if [[ -n $planar_log_result && -f $planar_log ]]; then cp "$planar_log" "$planar_log_result"; fi
	return 0
}

# Writes a backtrace of every planar core dump into $RESULT_DIR/backtrace.txt.
save_backtraces() {
	local core pid
	for pid in "${planar_pids[@]}"; do
		core=/tmp/core.$pid
		[[ -e $core ]] || continue
		{
			echo "=== $core"
			gdb -batch -nx -ex 'print $_siginfo._sifields._sigfault' -ex 'bt full' \
				-ex 'info registers' -ex 'x/24i $pc-64' -ex 'info sharedlibrary' \
				-ex 'thread apply all bt' "$planar" "$core" 2>&1
		} >>"$RESULT_DIR/backtrace.txt"
		rm -f "$core"
	done
}

fail() {
	trap - ERR
	keep_planar_log
	echo "  planar log: ${planar_log_result:-$planar_log}; last lines:"
	[[ -n $planar_log && -f $planar_log ]] && tail -n 15 "$planar_log" | sed 's/^/    /'
	cat /sys/kernel/debug/dri/0/state >"$RESULT_DIR/kms-state.txt" 2>/dev/null
	save_backtraces
	[[ -s $RESULT_DIR/backtrace.txt ]] && echo "  backtrace in $RESULT_DIR/backtrace.txt"
	echo "FAIL: $*"
	exit 1
}

planar_alive() {
	[[ -n $planar_pid ]] && kill -0 "$planar_pid" 2>/dev/null
}

# Reaps a dead planar and explains its death.
planar_died() {
	planar_status=0
	wait "$planar_pid" 2>/dev/null || planar_status=$?
	planar_pid=
	local why="exit status $planar_status"
	((planar_status > 128)) && why="killed by signal $((planar_status - 128)) ($(kill -l $((planar_status - 128)) 2>/dev/null))"
	fail "planar died ($why) $*"
}

wait_for() {
	local seconds=$1 what=$2
	shift 2
	local deadline=$((SECONDS + seconds))
	until "$@"; do
		if [[ -n $planar_pid ]] && ! planar_alive; then
			planar_died "while waiting for $what"
		fi
		((SECONDS < deadline)) || fail "no $what after ${seconds}s"
		sleep 0.2
	done
}

planar_ready() {
	[[ -S $XDG_RUNTIME_DIR/$socket ]] && grep -q 'running on WAYLAND_DISPLAY' "$planar_log" &&
		grep -qE ': 1024x768@[0-9.]+ Hz' "$planar_log"
}

planar_start() {
	rm -f "$XDG_RUNTIME_DIR/$socket" "$XDG_RUNTIME_DIR/$socket.lock"
	echo "  starting: planar --backend drm --socket $socket $*"
	local_planar_log
	"$planar" --backend drm --socket "$socket" "$@" >"$planar_log" 2>&1 &
	planar_pid=$!
	planar_pids+=("$planar_pid")
	wait_for 120 "planar socket and 1024x768 output (see planar.log)" planar_ready
	echo "  planar up (pid $planar_pid) after ${SECONDS}s of the test"
}

planar_wait_exit() {
	local seconds=${1:-60}
	local deadline=$((SECONDS + seconds))
	while planar_alive; do
		((SECONDS < deadline)) || fail "planar still runs ${seconds}s after it was asked to exit"
		sleep 0.2
	done
	planar_status=0
	wait "$planar_pid" 2>/dev/null || planar_status=$?
	planar_pid=
	keep_planar_log
}

planar_stop() {
	planar_alive || planar_died "before SIGTERM"
	kill -TERM "$planar_pid"
	planar_wait_exit 60
	((planar_status == 0)) || fail "planar exited with status $planar_status on SIGTERM"
	echo "  planar exited 0 on SIGTERM"
}

client_start() {
	local name=$1
	shift
	# All clients write to one log (no process substitution: keep the client's own pid).
	"$@" >>"$RESULT_DIR/clients.log" 2>&1 &
	client_pid=$!
	echo "--- $name started as pid $client_pid: $*" >>"$RESULT_DIR/clients.log"
	client_pids+=("$client_pid")
}

# Stops one client: SIGTERM or (with -9) SIGKILL, then reaps it.
client_stop() {
	local signal=TERM
	if [[ $1 == -9 ]]; then
		signal=KILL
		shift
	fi
	kill -"$signal" "$1" 2>/dev/null || true # it may have exited already
	wait "$1" 2>/dev/null || true           # its status: 128 + the signal
	local pid kept=()
	for pid in "${client_pids[@]}"; do
		[[ $pid == "$1" ]] || kept+=("$pid")
	done
	client_pids=("${kept[@]}")
	return 0
}

clients_stop_all() {
	local pid
	for pid in "${client_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	client_pids=()
}

screen_matches() {
	grim -t ppm "$screenshot" >>"$RESULT_DIR/grim.log" 2>&1 || return 1
	screen_result=$("$bin/vm-screen" ppm "$screenshot" "$@" 2>&1)
}

# screen_expect BG [COLOUR WxH]...: polls screenshots until one is exactly that (windows that
# take a few frames to appear are waited for), then keeps nothing unless it fails.
screen_expect() {
	screenshot=$RESULT_DIR/screenshot.ppm
	screen_result="no screenshot taken"
	local deadline=$((SECONDS + 120))
	until screen_matches "$@"; do
		if ! planar_alive; then
			planar_died "while taking screenshots"
		fi
		if ((SECONDS >= deadline)); then
			echo "  grim: $(tail -n 1 "$RESULT_DIR/grim.log" 2>/dev/null)"
			fail "screenshot (kept as screenshot.ppm) never matched after 120s: ${screen_result#FAIL: }"
		fi
		sleep 0.5
	done
	echo "  $screen_result"
	rm -f "$screenshot" "$RESULT_DIR/grim.log"
}

# True when PATTERN occurs more than N times in the clients' log; fails the test at once when
# client PID has exited instead.
client_logged() {
	local pid=$1 pattern=$2 count=$3
	(($(grep -c -- "$pattern" "$RESULT_DIR/clients.log" || true) > count)) && return 0
	kill -0 "$pid" 2>/dev/null ||
		fail "the client (pid $pid) exited: $(grep FAIL "$RESULT_DIR/clients.log" | tail -n 1 || true)"
	return 1
}

# held_frame_screens NAME CMD...: CMD (sync_client hold, syncobj_client hold) shows a 256x192
# window in 0x2060c0, then commits a 0xc06020 frame whose fence (or syncobj point) has not
# signalled, and signals it on SIGUSR1. While it waits, three screenshots (each taken once, no
# polling: the earlier frame was presented before the held one was committed) must show the
# earlier colour; after the signal the new colour appears at the same place. Stops the client.
held_frame_screens() {
	local name=$1 marker='ok: 0x2060c0 shown, 0xc06020 held' before pid shot held_at shown_at
	shift
	before=$(grep -c -- "$marker" "$RESULT_DIR/clients.log" || true)
	client_start "$name" "$@"
	pid=$client_pid
	wait_for 60 "the held frame ($name)" client_logged "$pid" "$marker" "$before"
	screenshot=$RESULT_DIR/screenshot.ppm
	for shot in 1 2 3; do
		screen_result="grim failed"
		if ! screen_matches "$background" 0x2060c0 256x192; then
			[[ $screen_result == "grim failed"* ]] &&
				screen_result="grim failed: $(tail -n 1 "$RESULT_DIR/grim.log" 2>/dev/null)"
			fail "screenshot $shot while 0xc06020 waits on its fence (kept as screenshot.ppm): ${screen_result#FAIL: }"
		fi
		sleep 0.3
	done
	echo "  held (3 screenshots): $screen_result"
	held_at=$(sed -n 's/.* 256x192 at \([0-9]*,[0-9]*\);.*/\1/p' <<<"$screen_result")
	before=$(grep -c -- 'ok: 0xc06020 presented' "$RESULT_DIR/clients.log" || true)
	kill -USR1 "$pid"
	wait_for 60 "the held frame's presentation ($name)" client_logged "$pid" 'ok: 0xc06020 presented' "$before"
	screen_expect "$background" 0xc06020 256x192
	shown_at=$(sed -n 's/.* 256x192 at \([0-9]*,[0-9]*\);.*/\1/p' <<<"$screen_result")
	[[ -n $held_at && $held_at == "$shown_at" ]] ||
		fail "the signalled frame is at '$shown_at', the held window was at '$held_at'"
	kill -0 "$pid" 2>/dev/null || fail "$name exited: $(grep FAIL "$RESULT_DIR/clients.log" | tail -n 1 || true)"
	client_stop "$pid"
}

kms_expect_planar() {
	local state=$RESULT_DIR/kms-state.txt primary id fb size mode
	primary=$("$bin/vm-screen" primary) || fail "KMS: ${primary#FAIL: }"
	# "primary PLANE_ID fb FB_ID WxH crtc CRTC_ID mode WxH"
	read -r _ id _ fb size _ _ _ mode <<<"$primary"
	cat /sys/kernel/debug/dri/0/state >"$state" || fail "cannot read /sys/kernel/debug/dri/0/state"
	echo "  KMS: $primary"
	[[ $fb != 0 ]] || fail "KMS: the primary plane $id shows no framebuffer"
	[[ $size == 1024x768 && $mode == 1024x768 ]] ||
		fail "KMS: primary plane fb $fb is $size on mode $mode, expected 1024x768 on 1024x768"
	# The plane's block in the atomic state: "plane[ID]: NAME" up to the next unindented line.
	local block
	block=$(awk -v head="plane[$id]:" 'index($0, head) == 1 { on = 1; print; next }
		/^[^[:space:]]/ { on = 0 } on' "$state")
	grep -q "fb=$fb" <<<"$block" || fail "KMS state: plane $id does not show fb $fb (kms-state.txt)"
	grep -q 'allocated by = planar' <<<"$block" ||
		fail "KMS state: fb $fb on the primary plane was not allocated by planar (kms-state.txt)"
	grep -q 'size=1024x768' <<<"$block" || fail "KMS state: fb $fb is not 1024x768 (kms-state.txt)"
	grep -q 'mode: "1024x768"' "$state" || fail "KMS state: no CRTC with mode 1024x768 (kms-state.txt)"
	echo "  KMS state: planar's fb $fb (1024x768) on primary plane $id, mode 1024x768"
}

# No planar crash since the test began: no core dump of any planar started here (the kernel's
# "segfault" lines name the crashing thread, e.g. llvmpipe-1, not the process; they are relayed
# as notes, since a client may crash without planar being at fault).
crash_check() {
	local lines pid
	# What the kernel logged since the test began: a process that crashed (planar or a
	# client), an oops, a BUG or a GPU fault fails the test. (Not every "Call Trace": vivid's
	# capture thread logs one with "schedule_timeout: wrong timeout value" whenever it falls
	# behind under emulation, a driver warning that says nothing of planar.)
	lines=$(dmesg | tail -n +"$((dmesg_start + 1))" |
		grep -E 'segfault|general protection|traps:|Oops|BUG:|Kernel panic|[Gg][Pp][Uu] fault|page fault for address|GPU hang' || true)
	[[ -z $lines ]] || fail "the kernel logged a crash or fault during the test: $(head -n 3 <<<"$lines" | tr '\n' ' ')"
	for pid in "${planar_pids[@]}"; do
		[[ -e /tmp/core.$pid ]] && fail "planar (pid $pid) crashed: it left a core dump"
	done
	return 0
}

# A config file with a known background (and optional extra lines for [general]).
write_config() {
	local file=$1
	shift
	{
		echo '[general]'
		echo "background = #${background#0x}"
		printf '%s\n' "$@"
	} >"$file"
}
background=0x203040

# desktop_check RENDERER: planar on DRM with RENDERER shows a solid_window client with its
# exact colour and the background elsewhere, and scans out its own 1024x768 framebuffer.
window_colour=0xc04080
desktop_check() {
	local renderer=$1
	solid_window=$PLANAR_BUILD/tests/integration/solid_window
	[[ -x $solid_window ]] || fail "no solid_window client at $solid_window (ninja -C $PLANAR_BUILD)"
	write_config "$RESULT_DIR/planar.ini"
	planar_start --renderer "$renderer" --config "$RESULT_DIR/planar.ini"
	grep -q "renderer: $renderer" "$planar_log" || fail "planar did not pick the $renderer renderer (planar.log)"
	client_start solid_window "$solid_window" --colour "$window_colour" --size 320x200
	desktop_window=$client_pid
	wait_for 120 "window mapped by solid_window" grep -q 'solid_window: mapped' "$RESULT_DIR/clients.log"
	screen_expect "$background" "$window_colour" 320x200
	kms_expect_planar
}

# ctl_field PID FIELD: FIELD=... of the planar-ctl surfaces line of client PID (empty when
# planar lists no window of that client).
ctl_field() {
	"$PLANAR_BUILD/compositor/planar-ctl" surfaces 2>/dev/null |
		sed -nE "/ pid=$1 /{s/.* $2=([^ ]*).*/\1/p;q}" || true
}

# client_dmabufs PID: inodes of the dma-bufs PID holds open ("/dmabuf:" links in /proc/PID/fd).
client_dmabufs() {
	find /proc/"$1"/fd -lname '/dmabuf:*' -exec stat -L -c %i {} + 2>/dev/null || true
}

# overlay_is_client PID: an overlay plane scans out one of PID's dma-bufs (vm-scanout --all:
# the inode of the plane's dma-buf); sets $overlay_line to that plane's line.
overlay_is_client() {
	local inodes line
	inodes=$(client_dmabufs "$1")
	while read -r line; do
		[[ $line == "plane "*" overlay "* ]] || continue
		grep -qx "${line##* inode }" <<<"$inodes" && overlay_line=$line && return 0
	done < <("$bin/vm-scanout" --all 2>/dev/null)
	return 1
}

# commits_at_least PID N: planar-ctl counts N or more commits of client PID's window. The
# waits below use it for "the client is drawing" instead of sleeping for a while.
commits_at_least() {
	local n
	n=$(ctl_field "$1" commits)
	[[ -n $n ]] && ((n >= $2))
}

# some_window_commits N: some window planar-ctl lists has N commits or more (for a client
# started through timeout(1), whose pid is not the client's).
some_window_commits() {
	local most
	most=$("$PLANAR_BUILD/compositor/planar-ctl" surfaces 2>/dev/null |
		sed -nE 's/.* commits=([0-9]+).*/\1/p' | sort -n | tail -n 1 || true)
	[[ -n $most ]] && ((most >= $1))
}

# window_gone PID: planar-ctl lists no window of client PID any more.
window_gone() {
	! "$PLANAR_BUILD/compositor/planar-ctl" surfaces 2>/dev/null | grep -q " pid=$1 "
}

# screen_near COLOUR WxH [TOLERANCE]: a screenshot has at least 90% of W*H pixels within
# TOLERANCE (default 8) of COLOUR in each channel: for converted YUV, which is not exact.
screen_near() {
	screenshot=$RESULT_DIR/screenshot.ppm
	grim -t ppm "$screenshot" >>"$RESULT_DIR/grim.log" 2>&1 || return 1
	screen_result=$(ppm near "$screenshot" "$@")
}

# window_drawn PID: in a screenshot, at least half of the pixels of client PID's window (its
# geometry from planar-ctl) are not the background: the client's picture is on screen.
window_drawn() {
	local geometry
	geometry=$(ctl_field "$1" geometry)
	[[ -n $geometry ]] || return 1
	screenshot=$RESULT_DIR/screenshot.ppm
	grim -t ppm "$screenshot" >>"$RESULT_DIR/grim.log" 2>&1 || return 1
	screen_result=$(ppm drawn "$screenshot" "$geometry" "$background")
}
