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
	"644 usr/local/share/doc/freeze/INFO_JSON.md"
	"644 usr/local/share/man/man1/freeze.1"
	"644 usr/local/share/man/man1/freeze-image.1"
	"644 usr/local/share/bash-completion/completions/freeze"
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

# complete FILE WORD...: what completion/FILE offers for the command line
# WORD... (the last word is the one being completed), one per line, from a
# bash that sourced it and nothing else.
complete_words() {
	local file=$1
	shift
	bash --norc --noprofile -c 'source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_freeze; printf "%s\n" "${COMPREPLY[@]}"' bash "$file" "$@" 2>&1
}

# The bash completion offers freeze's options and values, and as PID the
# user's own processes with their names, not another user's.
completion_case() {
	local name=install/completion file=$REPO/completion/freeze.bash got mine theirs
	selected "$name" || return 0
	new_case "$name" root
	got=$(complete_words "$file" freeze --tcp)
	[[ $got == --tcp-established ]] || WHYS+=("freeze --tcp<TAB> offers '$got', not --tcp-established")
	got=$(complete_words "$file" freeze -k --compress = "" | tr '\n' ' ')
	[[ $got == "lz4 none " ]] || WHYS+=("freeze -k --compress=<TAB> offers '$got', not lz4 none")
	got=$(complete_words "$file" freeze -k out.bin --ver | tr '\n' ' ')
	[[ $got == "--verbose --version " ]] || WHYS+=("freeze -k out.bin --ver<TAB> offers '$got', not --verbose --version")
	cp /bin/sleep "$CASE/fz-napper"
	chmod 755 "$CASE" "$CASE/fz-napper"
	"$CASE/fz-napper" 600 &
	mine=$!
	track "$mine"
	theirs=
	if [[ " ${USERS[*]} " == *" nobody "* ]]; then
		user_cmd nobody
		"${RUN_AS[@]}" "$CASE/fz-napper" 600 &
		theirs=$!
		track "$theirs"
	fi
	wait_until 5 test "$(cat /proc/$mine/comm 2>/dev/null)" = fz-napper
	got=$(complete_words "$file" freeze -k out.bin "")
	grep -qx "$mine (fz-napper)" <<<"$got" || WHYS+=("PID<TAB> does not offer '$mine (fz-napper)'")
	[[ -n $theirs ]] && grep -q "^$theirs " <<<"$got" && WHYS+=("PID<TAB> offers $theirs, a process of $UNPRIV")
	grep -q '^2 ' <<<"$got" && WHYS+=("PID<TAB> offers kthreadd")
	got=$(complete_words "$file" freeze -k -z lz4 out.bin "$mine")
	grep -qxE "$mine( \(fz-napper\))?" <<<"$got" || WHYS+=("freeze ... $mine<TAB> does not offer $mine: $(brief <(echo "$got"))")
	kill_reap "$mine"
	[[ -n $theirs ]] && kill_reap "$theirs"
	report "$name"
}

install_cases() {
	man_pages_case
	completion_case
	deb_case
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

# demo_resumed OUT: the output of examples/demo.sh shows the counter going
# on after the resume from the step it had reached: its log, printed last,
# holds steps 1..N in order with the right sums, N past the last step
# printed before the freeze.  Adds to WHYS.
demo_resumed() {
	local out=$1 before after
	before=$(sed -n '/^== starting/,/^== .* -k /p' "$out" | grep -c '^step ')
	after=$(sed -n '/^== resuming/,$p' "$out" | awk '
		/^step / { n++; sum += n * n
			if ($2 != n ":" || $6 != sum) { print "bad: " $0; exit }
		}
		END { print n + 0 }')
	if ((before == 0)); then
		WHYS+=("the demo printed no step before the freeze: $(brief "$out")")
	elif [[ ! $after =~ ^[0-9]+$ ]]; then
		WHYS+=("the resumed counter's log is wrong: $after")
	elif ((after <= before)); then
		WHYS+=("the counter did not go on after the resume ($before steps before, $after after)")
	fi
}

# install/deb: the Debian package builds (dpkg-buildpackage in a copy of the
# tree, so the build's `make clean` leaves this one alone), lintian finds no
# error in it (where lintian is installed), it installs with dpkg -i, the
# demo runs with the installed /usr/bin/freeze, and dpkg -r removes it all.
deb_case() {
	local name=install/deb src deb f
	selected "$name" || return 0
	if ! command -v dpkg-buildpackage >/dev/null; then
		skip "$name" "no dpkg-buildpackage (Debian: dpkg-dev, debhelper)"
		return
	fi
	if [[ $EUID != 0 ]]; then
		skip "$name" "installing a package needs root"
		return
	fi
	if dpkg -s freeze >/dev/null 2>&1 || [[ -e /usr/bin/freeze ]]; then
		skip "$name" "a freeze is installed already (dpkg -r freeze): not replaced"
		return
	fi
	new_case "$name" root
	src=$CASE/src
	mkdir -p "$src"
	tar -C "$REPO" --exclude=./build --exclude=./bin --exclude=./.git -cf - . | tar -C "$src" -xf -
	if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$CASE/build.log" 2>&1; then
		fail "$name" "dpkg-buildpackage failed: $(tail -5 "$CASE/build.log" | brief /dev/stdin)"
		return
	fi
	deb=$(echo "$CASE"/freeze_*_amd64.deb)
	if [[ ! -f $deb ]]; then
		fail "$name" "dpkg-buildpackage made no freeze_*_amd64.deb"
		return
	fi
	if command -v lintian >/dev/null; then
		lintian "$CASE"/freeze_*_amd64.changes >"$CASE/lintian.out" 2>&1
		grep -q '^E: ' "$CASE/lintian.out" &&
			WHYS+=("lintian: $(grep '^E: ' "$CASE/lintian.out" | brief /dev/stdin)")
		grep -q '^W: ' "$CASE/lintian.out" &&
			echo "# $name: lintian warnings: $(grep '^W: ' "$CASE/lintian.out" | brief /dev/stdin)"
	fi
	if ! dpkg -i "$deb" >"$CASE/dpkg.out" 2>&1; then
		fail "$name" "dpkg -i failed: $(brief "$CASE/dpkg.out")"
		dpkg -r freeze >/dev/null 2>&1
		return
	fi
	for f in /usr/bin/freeze /usr/share/man/man1/freeze.1.gz /usr/share/man/man1/freeze-image.1.gz \
		/usr/share/bash-completion/completions/freeze \
		/usr/share/doc/freeze/README.md.gz /usr/share/doc/freeze/copyright; do
		dpkg -L freeze | grep -qx "$f" || WHYS+=("the package lacks $f")
	done
	if command -v man >/dev/null; then
		[[ $(man -w freeze-image 2>/dev/null) == /usr/share/man/man1/freeze-image.1.gz ]] ||
			WHYS+=("man -w freeze-image does not find the installed page")
	fi
	(close_extra_fds && FREEZE=/usr/bin/freeze exec timeout 120 bash "$REPO/examples/demo.sh") \
		</dev/null >"$CASE/demo.out" 2>"$CASE/demo.err"
	EXIT_RC=$?
	((EXIT_RC == 0)) || WHYS+=("the demo $(describe_rc $EXIT_RC): $(brief "$CASE/demo.err")")
	grep -q '^== /usr/bin/freeze -k ' "$CASE/demo.out" || WHYS+=("the demo did not run /usr/bin/freeze")
	grep -q '^image OK' "$CASE/demo.out" || WHYS+=("the demo's --verify said no OK: $(brief "$CASE/demo.out")")
	# The counter's stderr is the demo's, a file that only grew meanwhile.
	grep -q 'warning' "$CASE/demo.err" && WHYS+=("the demo warned: $(brief "$CASE/demo.err")")
	demo_resumed "$CASE/demo.out"
	dpkg -r freeze >"$CASE/dpkg.out" 2>&1 || WHYS+=("dpkg -r failed: $(brief "$CASE/dpkg.out")")
	[[ -e /usr/bin/freeze || -e /usr/share/doc/freeze ]] && WHYS+=("dpkg -r left /usr/bin/freeze or its documents")
	report "$name"
}
