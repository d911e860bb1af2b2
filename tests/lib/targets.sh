# tests/lib/targets.sh - reads the table of targets, tests/targets/TARGETS
# (its header says what each word means), and answers questions about it.
# Sourced by tests/run.sh.

TARGET_NAMES=()	# every target, in the table's order
HELPER_NAMES=()	# every helper, in the table's order
ALL_VARIANTS=(pie static spie musl)
declare -A T_KIND=() T_LIBS=() T_ARGS=() T_VARIANTS=() T_RUNNING=() T_SETS=()
declare -A T_NOT=()	# NAME-VARIANT -> why that variant is not built
TABLE_ERRORS=()

# table_error WHAT: a mistake in the table, reported once the run starts.
table_error() { TABLE_ERRORS+=("$1"); }

# target NAME WORD...: one line of the table.
target() {
	local name=$1 w v
	shift
	if [[ -n ${T_KIND[$name]:-} ]]; then
		table_error "$name is declared twice"
		return
	fi
	TARGET_NAMES+=("$name")
	T_KIND[$name]=sig T_LIBS[$name]= T_ARGS[$name]= T_RUNNING[$name]=cow
	T_VARIANTS[$name]="${ALL_VARIANTS[*]}" T_SETS[$name]=" "
	for w; do
		case $w in
		matrix) T_SETS[$name]+="kill modes nofreeze " ;;
		kill | modes | nofreeze | chroot | chroot-redirect | vdso-redirect | vdso-syscall | vdso-stepped | hook | alone)
			T_SETS[$name]+="$w " ;;
		kind=sig | kind=result) T_KIND[$name]=${w#kind=} ;;
		running=cow | running=stopped) T_RUNNING[$name]=${w#running=} ;;
		libs=*) T_LIBS[$name]=${w#libs=} ;;
		args=*) T_ARGS[$name]=${w#args=} ;;
		variants=*) T_VARIANTS[$name]=${w#variants=} ;;
		no-*=*)
			v=${w%%=*}
			v=${v#no-}
			T_NOT[$name-$v]="$name: ${w#*=}"
			;;
		*) table_error "$name: unknown word '$w'" ;;
		esac
	done
}

# helper NAME [libs=...]: a helper program, tests/helpers/NAME.c, built
# once (no variants) into BIN/NAME.
helper() {
	local name=$1 w
	shift
	HELPER_NAMES+=("$name")
	T_LIBS[helper:$name]=
	for w; do
		case $w in
		libs=*) T_LIBS[helper:$name]=${w#libs=} ;;
		*) table_error "helper $name: unknown word '$w'" ;;
		esac
	done
}

# in_set NAME SET: has the table given NAME the word SET?
in_set() { [[ ${T_SETS[$1]:-} == *" $2 "* ]]; }

# targets_in SET: the targets with the word SET, in the table's order.
targets_in() {
	local t
	for t in "${TARGET_NAMES[@]}"; do
		in_set "$t" "$1" && echo "$t"
	done
	return 0
}

# target_args NAME: T_ARGS as an array, in TARGET_ARGS_OF.
target_args() { read -ra TARGET_ARGS_OF <<<"${T_ARGS[$1]:-}"; }

# check_table: every tests/targets/*.c has a line and every line a .c;
# every hook word a function and every function a word.  Mistakes found
# while reading the table too: each is a failed check, targets/TARGETS.
check_table() {
	local f t why=("${TABLE_ERRORS[@]}")
	for f in "$TESTS"/targets/*.c; do
		t=${f##*/}
		t=${t%.c}
		[[ -n ${T_KIND[$t]:-} ]] || why+=("tests/targets/$t.c has no line")
	done
	for t in "${TARGET_NAMES[@]}"; do
		[[ -f $TESTS/targets/$t.c ]] || why+=("$t has no tests/targets/$t.c")
		if in_set "$t" hook; then
			declare -F "after_freeze_$t" >/dev/null || why+=("$t: hook, but no function after_freeze_$t")
		elif declare -F "after_freeze_$t" >/dev/null; then
			why+=("after_freeze_$t is defined but $t has no hook word")
		fi
	done
	for t in "${HELPER_NAMES[@]}"; do
		[[ -f $TESTS/helpers/$t.c ]] || why+=("helper $t has no tests/helpers/$t.c")
	done
	((${#why[@]} == 0)) && return 0
	local w
	w=$(printf '%s; ' "${why[@]}")
	fail targets/TARGETS "${w%; }"
}
