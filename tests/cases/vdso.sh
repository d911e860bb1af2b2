# tests/cases/vdso.sh - images resumed with --vdso=redirect or
# --vdso=syscall, and one whose recorded vdso is damaged.  Sourced by
# tests/run.sh.

# vdso_cases: every target with the word vdso-redirect resumed with
# --vdso=redirect (the old vdso's entry points jump into the host's, the
# path another kernel takes), those with vdso-syscall with --vdso=syscall
# (every entry point a system call), in every variant, as every user.  A
# target with vdso-stepped is frozen with -v: when its thread was stopped
# inside the vdso, freeze must say it stepped it out (otherwise that part
# is a skip: the freeze came between two calls).
vdso_cases() {
	local how t v u name
	local -a fopt
	for how in redirect syscall; do
		for t in $(targets_in "vdso-$how"); do
			fopt=()
			in_set "$t" vdso-stepped && fopt=(-f -v)
			for v in "${RUN_VARIANTS[@]}"; do
				for u in "${USERS[@]}"; do
					name=vdso-$how/$t/$v/$u
					freeze_case "${fopt[@]}" -i "--vdso=$how" "$name" "$t" "$v" "$u" kill
					selected "$name" && [[ ${BUILD_STATE[$t-$v]:-} == ok ]] || continue
					in_set "$t" vdso-stepped && vdso_stepped "$name/stepped"
					[[ $how == redirect && -f $CASE/img.err ]] &&
						vdso_into_host "$name/into-host-vdso"
				done
			done
		done
	done
}

# vdso_into_host NAME: the stub found this kernel's vdso and a place for
# it, so no entry point fell back to a system call (it warns when one does).
vdso_into_host() {
	if grep -q "system calls" "$CASE/img.err"; then
		fail "$1" "$(brief "$CASE/img.err")"
	else
		pass "$1"
	fi
}

# vdso_stepped NAME: freeze -v said it stepped a thread out of the vdso.
vdso_stepped() {
	if grep -q "stepped out of the vdso" "$CASE/freeze.err" 2>/dev/null; then
		pass "$1"
	else
		skip "$1" "no thread was inside the vdso at the freeze"
	fi
}

# vdso_damaged_case: an image whose recorded vdso has its section headers
# out of bounds (record rewritten, checksum fixed) cannot be redirected:
# --verify and a run with --vdso=redirect exit 1 naming the vdso, before
# anything is changed.
vdso_damaged_case() {
	local name=vdso-damaged bad=$TMP/vdso-damaged.img how rc args
	selected "$name" || return 0
	need_pie clocks "$name" && need_helper patchrec || return 0
	new_case "$name" root
	start_target root "$CASE/t" "$CASE/t.out" "$BIN/clocks-pie" "$CASE/t"
	frozen_k root "$bad" || { freeze_failed "$name"; return; }
	# e_shoff, at byte 40 of the ELF header, far past the image.
	"$BIN/patchrec" "$bad" 11 40 7000000000000000 >/dev/null ||
		{ fail "$name" "patchrec failed on the VDSO record"; return; }
	for how in verify run; do
		args=(--vdso=redirect)
		[[ $how == verify ]] && args+=(--verify)
		WHYS=()
		(cd "$CASE/elsewhere" && exec timeout -k 5 "$VERDICT_TIMEOUT" "$bad" "${args[@]}") \
			</dev/null >"$CASE/$how.out" 2>"$CASE/$how.err"
		rc=$?
		((rc == 1)) || WHYS+=("$(describe_rc $rc), not exit 1")
		grep -q "^freeze: the process's vdso: section headers out of bounds" "$CASE/$how.err" ||
			WHYS+=("stderr: $(brief "$CASE/$how.err")")
		report "$name/$how"
	done
}
