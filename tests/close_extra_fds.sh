# tests/close_extra_fds.sh - sourced by tests/run.sh and tests/qemu/run.sh.

# In a subshell about to exec: close every fd above 2 (bash keeps the pipe
# of a process substitution open as fd 63, for instance; fds inherited from
# whoever started the tests would leak into targets too).
close_extra_fds() {
	local f n
	for f in /proc/$BASHPID/fd/*; do
		n=${f##*/}
		((n > 2)) && eval "exec $n>&-"
	done
	return 0
}
