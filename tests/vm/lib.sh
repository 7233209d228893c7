# shellcheck shell=bash
# tests/vm/lib.sh: shared by tests/vm/prepare and tests/vm/run (sourced, not executed).

# shellcheck disable=SC2034 # used by the scripts that source this file
vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_repo=$(cd "$vm_dir/../.." && pwd)
vm_cache=${PLANAR_VM_CACHE:-/var/cache/planar-vm}

# Progress goes to stderr: stdout of `run` is reserved for one line per test.
vm_log() {
	printf 'vm: %s\n' "$*" >&2
}

vm_die() {
	vm_log "error: $*"
	exit 2
}

# Seconds since the epoch, with a fraction; for the timings this harness reports.
vm_now() {
	date +%s.%N
}

vm_since() {
	awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'
}

# Installs what deps.txt lists and is missing (as root, non-interactively).
vm_ensure_deps() {
	local -a wanted missing=()
	local pkg
	mapfile -t wanted < <(sed 's/#.*//' "$vm_dir/deps.txt" | xargs -n1)
	for pkg in "${wanted[@]}"; do
		if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
			missing+=("$pkg")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || vm_die "missing packages (need root to install): ${missing[*]}"
	vm_log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
		apt-get update >&2
		apt-get install -y --no-install-recommends "${missing[@]}" >&2
	fi
}
