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
	"644 usr/local/share/man/man1/freeze.1"
	"644 usr/local/share/man/man1/freeze-image.1"
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

# man_lint PAGE: groff and man find nothing to warn about in PAGE.  Adds
# to WHYS.
man_lint() {
	local page=$1 base=${1##*/}
	groff -man -ww -z "$page" >"$CASE/$base.groff" 2>&1 ||
		WHYS+=("groff failed on $base")
	[[ -s $CASE/$base.groff ]] && WHYS+=("groff -ww on $base: $(brief "$CASE/$base.groff")")
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "$page" 2>"$CASE/$base.man" >"$CASE/$base.txt" ||
			WHYS+=("man -l $base failed")
		[[ -s $CASE/$base.man ]] && WHYS+=("man --warnings on $base: $(brief "$CASE/$base.man")")
		grep -q '^NAME' "$CASE/$base.txt" || WHYS+=("man -l $base shows no NAME section")
	fi
}

# man_names PAGE WHAT REGEX...: PAGE (its roff source, with \- as -)
# matches every REGEX (an option, or the tag line of its entry).
man_names() {
	local page=$1 what=$2 text opt missing=()
	shift 2
	text=$(sed 's/\\-/-/g; s/\\&//g' "$page")
	for opt in "$@"; do
		grep -qE -- "$opt" <<<"$text" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || WHYS+=("${page##*/} lacks $what ${missing[*]}")
}

# The man pages: no warnings from groff or man, and every option the code
# parses is in its page (freeze's getopt table and short options, the
# image's parse_args), so a new option cannot go undocumented.
man_pages_case() {
	local name=install/man-pages page opts=() o
	selected "$name" || return 0
	new_case "$name" root
	if ! command -v groff >/dev/null; then
		skip "$name" "no groff (Debian: groff-base)"
		return
	fi
	for page in "$REPO"/man/*.[1-8]; do
		man_lint "$page"
	done
	for o in $(grep -oE '\{ "[a-z-]+"' "$REPO/freeze/core/main.c" | cut -d'"' -f2); do
		opts+=("--$o")
	done
	((${#opts[@]} > 5)) || WHYS+=("found only ${#opts[@]} long options in freeze/core/main.c")
	man_names "$REPO/man/freeze.1" "option" "${opts[@]}"
	o=$(grep -oE 'getopt_long\(argc, argv, "[^"]+"' "$REPO/freeze/core/main.c" | cut -d'"' -f2 | tr -d :)
	[[ -n $o ]] || WHYS+=("found no short options in freeze/core/main.c")
	opts=()
	while [[ -n $o ]]; do
		opts+=("^\\.BR -${o:0:1} \", \" --")
		o=${o:1}
	done
	man_names "$REPO/man/freeze.1" "short option" "${opts[@]}"
	mapfile -t opts < <(grep -oE 'strcmp\(a, "--[a-z=-]+"' "$REPO/stub/core/main.c" | cut -d'"' -f2)
	((${#opts[@]} > 5)) || WHYS+=("found only ${#opts[@]} options in stub/core/main.c")
	man_names "$REPO/man/freeze-image.1" "option" "${opts[@]}"
	report "$name"
}

install_cases() {
	man_pages_case
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
