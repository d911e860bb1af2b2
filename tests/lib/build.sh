# tests/lib/build.sh - the targets and helpers, built through a cache keyed
# on their sources, and copied into BIN when a case first needs them.
# Sourced by tests/run.sh.
#
# build/tests/NAME-VARIANT (a helper: build/tests/NAME) is kept with
# NAME-VARIANT.key, the sha256 of: the source, every file it includes with
# #include "..." (target.h for every target), the compiler's command line,
# and the compiler's identity (its -v output, and the size and time of the
# libc.a it links static builds with).  The binary is rebuilt only when that
# key changes: editing the suite's scripts rebuilds nothing.

CFLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror)
declare -A BUILD_STATE=()	# NAME-VARIANT or helper:NAME -> ok | fail | skip
declare -A BUILD_REASON=()	# ... -> why it failed or was skipped
declare -A CC_ID=()	# compiler -> its identity, for the key

# cc_identity CC: CC_ID[CC], once per run.
cc_identity() {
	[[ -n ${CC_ID[$1]:-} ]] && return 0
	local libc
	libc=$("$1" -print-file-name=libc.a 2>/dev/null)
	CC_ID[$1]=$({
		"$1" -v 2>&1
		stat -L -c 'libc.a %s %Y' "$libc" 2>/dev/null
	} | sha256sum)
}

# deps_of FILE: FILE and what it includes with #include "...", recursively
# (paths relative to the repository).
deps_of() {
	local -A seen=()
	_deps_of "$(realpath -m "$1")"
}
_deps_of() {
	local f=$1 inc
	[[ -z ${seen[$f]:-} && -f $f ]] || return 0
	seen[$f]=1
	echo "${f#"$REPO"/}"
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		_deps_of "$(realpath -m "${f%/*}/$inc")"
	done
}

# sources_sum SRC EXTRA: SRC_SUM[SRC|EXTRA], the sha256 of SRC, what it includes
# and the file EXTRA (if not "-") with what that includes; once per run.
declare -A SRC_SUM=()
sources_sum() {
	local f
	[[ -n ${SRC_SUM[$1|$2]:-} ]] && return 0
	SRC_SUM[$1|$2]=$(for f in $(deps_of "$1"; [[ $2 == - ]] || deps_of "$2"); do
		echo "== $f"
		cat "$REPO/$f"
	done | sha256sum)
}

# fresh OUT SRC EXTRA CC ARGS...: is OUT, built by `CC ARGS` from SRC (and
# EXTRA, a header, if not "-"), still what they make?  KEY is set to the key
# to store in OUT.key once it is built.
fresh() {
	local out=$1 src=$2 extra=$3 cc=$4
	shift 4
	cc_identity "$cc"
	sources_sum "$src" "$extra"
	KEY=$(printf '%s\n' "${CC_ID[$cc]}" "$cc" "$@" "${SRC_SUM[$src|$extra]}" | sha256sum)
	KEY=${KEY%% *}
	[[ -x $out && -f $out.key && $(<"$out.key") == "$KEY" ]]
}

# build_why LOG: the first error of a failed build, in BUILD_WHY.
build_why() {
	BUILD_WHY=$(grep -m1 -E 'error|undefined' "$1")
	[[ -n $BUILD_WHY ]] || BUILD_WHY=$(brief "$1")
}

# build_target NAME VARIANT: build/tests/NAME-VARIANT, from the cache or
# built.  Returns 0 on success, 1 on failure, 2 when the variant cannot be
# built here (the table says so, musl missing, or a musl build failure);
# the reason in BUILD_WHY.
build_target() {
	local name=$1 variant=$2 src=$TESTS/targets/$1.c out=$BUILD/$1-$2 cc=gcc
	local log=$BUILD/$1-$2.log
	local -a flags=("${CFLAGS[@]}") libs vflags
	read -ra libs <<<"${T_LIBS[$name]:-}"
	flags+=("${libs[@]}")
	BUILD_WHY=
	if [[ -n ${T_NOT[$name-$variant]:-} ]]; then
		BUILD_WHY=${T_NOT[$name-$variant]}
		return 2
	fi
	case $variant in
	pie) vflags=(-fPIE -pie) ;;
	static) vflags=(-static -no-pie) ;;
	spie) vflags=(-static-pie) ;;
	musl)
		cc=musl-gcc vflags=(-static)
		if ! command -v musl-gcc >/dev/null; then
			BUILD_WHY="musl-gcc not installed (apt-get install musl-tools)"
			return 2
		fi
		;;
	*)
		BUILD_WHY="no variant $variant"
		return 1
		;;
	esac
	mkdir -p "$BUILD"
	fresh "$out" "$src" "$TESTS/targets/target.h" "$cc" "${flags[@]}" "${vflags[@]}" -lm && return 0
	rm -f "$out.key"
	if "$cc" "${flags[@]}" "${vflags[@]}" -o "$out" "$src" -lm >"$log" 2>&1 ||
		# musl: static if it can, else linked to musl's libc.so (the same
		# sources and command take the same way each time).
		{ [[ $variant == musl ]] && "$cc" "${flags[@]}" -o "$out" "$src" -lm >>"$log" 2>&1; }; then
		echo "$KEY" >"$out.key"
		return 0
	fi
	if [[ $variant == musl ]]; then
		BUILD_WHY="musl-gcc failed: $(grep -m1 -E 'error|undefined' "$log")"
		return 2
	fi
	build_why "$log"
	return 1
}

# build_helper NAME: build/tests/NAME from tests/helpers/NAME.c, from the
# cache or built; 1 on failure (the reason in BUILD_WHY).
build_helper() {
	local name=$1 src=$TESTS/helpers/$1.c out=$BUILD/$1 l
	local -a libs=()
	for l in ${T_LIBS[helper:$name]:-}; do
		# A static library by its name: where the compiler finds it.
		[[ $l == lib*.a && $l != */* ]] && l=$(gcc -print-file-name="$l")
		libs+=("$l")
	done
	BUILD_WHY=
	mkdir -p "$BUILD"
	fresh "$out" "$src" - gcc "${CFLAGS[@]}" "${libs[@]}" && return 0
	rm -f "$out.key"
	if gcc "${CFLAGS[@]}" -o "$out" "$src" "${libs[@]}" >"$out.log" 2>&1; then
		echo "$KEY" >"$out.key"
		return 0
	fi
	BUILD_WHY=$(brief "$out.log")
	return 1
}

# install_bin FILE: a copy in BIN, which every user can run.
install_bin() {
	cp "$1" "$BIN/" && chmod a+rx "$BIN/${1##*/}"
}

# need NAME VARIANT: BIN/NAME-VARIANT, built (through the cache) the first
# time a case needs it; the status of build_target.  A filtered run reports
# each build it needed as build/NAME/VARIANT; a full run built every target
# up front (build_all) and reports here only the failures of the targets
# built on first use (variants=pie), as build/NAME.
need() {
	local t=$1 v=$2 rc
	case ${BUILD_STATE[$t-$v]:-} in
	ok) return 0 ;;
	fail) BUILD_WHY=${BUILD_REASON[$t-$v]}; return 1 ;;
	skip) BUILD_WHY=${BUILD_REASON[$t-$v]}; return 2 ;;
	esac
	if [[ -z ${T_KIND[$t]:-} ]]; then
		BUILD_WHY="$t is not in tests/targets/TARGETS"
		rc=1
	else
		build_target "$t" "$v"
		rc=$?
	fi
	((rc == 0)) && ! install_bin "$BUILD/$t-$v" && BUILD_WHY="cannot copy it into $BIN" rc=1
	note_build "$t-$v" "$rc"
	if [[ -n $FILTER ]]; then
		case $rc in
		0) pass "build/$t/$v" ;;
		1) fail "build/$t/$v" "$BUILD_WHY" ;;
		2) skip "build/$t/$v" "$BUILD_WHY" ;;
		esac
	elif ((rc == 1)); then
		fail "build/$t" "$BUILD_WHY"
	fi
	return $rc
}

# need_helper NAME: BIN/NAME, built the first time; reported like need's.
need_helper() {
	local h=$1 rc
	case ${BUILD_STATE[helper:$h]:-} in
	ok) return 0 ;;
	fail) BUILD_WHY=${BUILD_REASON[helper:$h]}; return 1 ;;
	esac
	build_helper "$h"
	rc=$?
	((rc == 0)) && ! install_bin "$BUILD/$h" && BUILD_WHY="cannot copy it into $BIN" rc=1
	note_build "helper:$h" "$rc"
	if ((rc == 0)); then
		pass "build/helpers/$h"
	else
		fail "build/helpers/$h" "$BUILD_WHY"
	fi
	return $rc
}

# need_pie NAME CASE: need NAME pie, or CASE is a skip (returns 1).
need_pie() {
	need "$1" pie && return 0
	skip "$2" "$1-pie was not built"
	return 1
}

# note_build KEY STATUS: remember how the build of KEY went.
note_build() {
	case $2 in
	0) BUILD_STATE[$1]=ok ;;
	1) BUILD_STATE[$1]=fail ;;
	*) BUILD_STATE[$1]=skip ;;
	esac
	BUILD_REASON[$1]=$BUILD_WHY
}

# build_all: the builds a full run checks first, one check each:
# build/NAME (its variants) for every target built in more than pie alone,
# in the variants this run uses, and build/helpers/NAME.  A filtered run
# does only those whose check it selects: TESTS_FILTER=build/ does them all.
build_all() {
	local t v built why rc
	for t in "${TARGET_NAMES[@]}"; do
		[[ ${T_VARIANTS[$t]} == pie ]] && continue
		selected "build/$t" || continue
		built=() why=()
		for v in ${T_VARIANTS[$t]}; do
			[[ " ${RUN_VARIANTS[*]} " == *" $v "* ]] || continue
			build_target "$t" "$v"
			rc=$?
			((rc == 0)) && ! install_bin "$BUILD/$t-$v" && BUILD_WHY="cannot copy it into $BIN" rc=1
			note_build "$t-$v" "$rc"
			case $rc in
			0) built+=("$v") ;;
			1) why+=("$v: $BUILD_WHY") ;;
			2) skip "build/$t/$v" "$BUILD_WHY" ;;
			esac
		done
		if ((${#why[@]})); then
			fail "build/$t" "${why[*]}"
		else
			pass "build/$t (${built[*]})"
		fi
	done
	for t in "${HELPER_NAMES[@]}"; do
		selected "build/helpers/$t" && need_helper "$t"
	done
	return 0
}
