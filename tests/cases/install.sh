# tests/cases/install.sh - make install and make uninstall into a temporary
# DESTDIR: the files land where PREFIX says, the installed freeze freezes a
# target whose image resumes, and uninstall leaves no file behind.
# Sourced by tests/run.sh.

# What make install puts under DESTDIR with PREFIX=/usr/local, and its mode.
INSTALLED_FILES=(
	"755 usr/local/bin/freeze"
	"644 usr/local/share/doc/freeze/README.md"
	"644 usr/local/share/doc/freeze/STATE.md"
	"644 usr/local/share/doc/freeze/FORMAT.md"
)

# installed_as_listed DESTDIR: every file of INSTALLED_FILES is there with
# its mode, and nothing else is.  Adds to WHYS.
installed_as_listed() {
	local dest=$1 entry mode path want=() got
	for entry in "${INSTALLED_FILES[@]}"; do
		mode=${entry%% *}
		path=${entry#* }
		want+=("$path")
		if [[ ! -f $dest/$path ]]; then
			WHYS+=("no $path")
		elif [[ $(stat -c %a "$dest/$path") != "$mode" ]]; then
			WHYS+=("$path is mode $(stat -c %a "$dest/$path"), not $mode")
		fi
	done
	got=$(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort)
	got=$(comm -23 <(echo "$got") <(printf '%s\n' "${want[@]}" | sort) | tr '\n' ' ')
	[[ -z ${got// /} ]] || WHYS+=("unexpected files installed: $got")
}

install_cases() {
	local name=install/destdir dest
	selected "$name" || return 0
	if [[ $EUID != 0 ]]; then
		skip "$name" "make install runs as root here"
		return
	fi
	new_case "$name" root
	dest=$CASE/dest
	if ! make -s -C "$REPO" install DESTDIR="$dest" >"$CASE/make.out" 2>&1; then
		fail "$name" "make install failed: $(brief "$CASE/make.out")"
		return
	fi
	installed_as_listed "$dest"
	cmp -s "$dest/usr/local/bin/freeze" "$REPO/bin/freeze" ||
		WHYS+=("the installed freeze is not bin/freeze")
	"$dest/usr/local/bin/freeze" --version >"$CASE/version.out" 2>&1 ||
		WHYS+=("the installed freeze --version failed: $(brief "$CASE/version.out")")
	if need heap pie; then
		start_target root "$CASE/t" "$CASE/t.out" "$BIN/heap-pie" "$CASE/t"
		if FREEZE=$dest/usr/local/bin/freeze frozen_k root "$CASE/img"; then
			resume root sig "$CASE/img" "$CASE/elsewhere" "the image the installed freeze made: "
		else
			WHYS+=("the installed freeze failed: $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")")
		fi
	else
		WHYS+=("heap-pie was not built: $BUILD_WHY")
	fi
	if ! make -s -C "$REPO" uninstall DESTDIR="$dest" >"$CASE/make.out" 2>&1; then
		WHYS+=("make uninstall failed: $(brief "$CASE/make.out")")
	fi
	local left
	left=$(cd "$dest" && find . ! -type d | tr '\n' ' ')
	[[ -z $left ]] || WHYS+=("make uninstall left files: $left")
	[[ -e $dest/usr/local/share/doc/freeze ]] && WHYS+=("make uninstall left share/doc/freeze")
	report "$name"
}
