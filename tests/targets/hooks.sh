# tests/targets/hooks.sh - what some targets need done between their freeze
# and the resume: after_freeze_NAME CASE USER, for each target whose line in
# TARGETS has the word hook.  CASE is the case's directory (the target's
# scratch directory is CASE/t, the image CASE/img); what is wrong goes into
# WHYS.  Sourced by tests/run.sh.

# The 1 GiB region is reserved, only 3 pages are touched: the image must
# not hold the rest.  The private file mapping must come from the image,
# not from the file: take the file away (root) or change it (unprivileged).
MAX_SPARSE_IMAGE=$((256 << 20))
after_freeze_mmaps() {
	local dir=$1 user=$2 size
	size=$(stat -c %s "$dir/img")
	((size < MAX_SPARSE_IMAGE)) || WHYS+=("image of $size bytes: the untouched part of the 1 GiB region was saved")
	if [[ $user == root ]]; then
		rm -f "$dir/t/priv.dat"
	else
		head -c "$(stat -c %s "$dir/t/priv.dat")" /dev/zero | tr '\0' Z >"$dir/t/priv.dat.new"
		cat "$dir/t/priv.dat.new" >"$dir/t/priv.dat"
	fi
}

# changed.dat rewritten in place (same size, same inode, new bytes and
# mtime): the resumed process must see the bytes it had, from the image.
after_freeze_libmaps() {
	local f=$1/t/changed.dat
	head -c "$(stat -c %s "$f")" /dev/zero | tr '\0' R >"$f.new"
	cat "$f.new" >"$f"
	rm -f "$f.new"
}

# The FIFO gone (root): --verify leaves it gone, the resume makes it
# again; else the stub reopens it.
after_freeze_fifo() {
	[[ $2 == root ]] || return 0
	rm -f "$1/t/queue.fifo"
	# --verify changes nothing on the host: the FIFO stays gone.
	"$1/img" --verify >"$1/verify.out" 2>&1 ||
		WHYS+=("--verify refused the image of a gone FIFO: $(brief "$1/verify.out")")
	[[ -e $1/t/queue.fifo ]] && WHYS+=("--verify made the FIFO again")
	return 0
}

# The keyed segment outlives the target: as root it is removed, so the
# image must recreate it; as nobody the image finds it still there.
after_freeze_sysvshm() {
	[[ $2 == root ]] && ipcrm -M "$(cat "$1/t/sysv.key")" 2>/dev/null
	return 0
}

# Another writer appends to the log and to the file the process reads
# while it is frozen (as root and as the user: the files are the user's).
after_freeze_growlog() {
	echo "appended while frozen" >>"$1/t/log.txt" || WHYS+=("cannot append to log.txt")
	echo "app: more lines" >>"$1/t/app.log" || WHYS+=("cannot append to app.log")
}
