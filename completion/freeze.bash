# bash completion for freeze(1): its options and their values, OUTPUT (a
# file name, or - for standard output) and PID, completed from the user's
# own processes and shown with their names ("4242 (vim)"; a single match
# is completed to the number alone).  Installed by make install and the
# Debian package as share/bash-completion/completions/freeze; it needs
# nothing from the bash-completion package.

# The processes this user may freeze: same real uid, not kernel threads
# (pid 2 and its children), pid starting with $1.  Lines "PID NAME".
_freeze_own_pids()
{
	local d pid key rest name uid ppid
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[[ $pid == "$1"* && $pid != 2 ]] || continue
		name= uid= ppid=
		while read -r key rest; do
			case $key in
			Name:) name=$rest ;;
			PPid:) ppid=$rest ;;
			Uid:) uid=${rest%%[[:space:]]*}; break ;;
			esac
		done 2>/dev/null <"$d/status"
		[[ $uid == "$UID" && $ppid != 2 ]] && printf '%s %s\n' "$pid" "$name"
	done
}

_freeze()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local opt= i w npos=0 pid name
	local -a matches=()

	# COMP_WORDBREAKS splits --compress=lz4 into --compress, =, lz4.
	if [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == = ]]; then
		opt=$prev
		cur=
	else
		case $prev in
		-z | --compress | -j | --jobs | --unsupported-fds) opt=$prev ;;
		esac
	fi
	case $opt in
	-z | --compress)
		COMPREPLY=($(compgen -W 'lz4 none' -- "$cur"))
		return
		;;
	-j | --jobs)
		COMPREPLY=($(compgen -W "$(seq 1 "$(nproc 2>/dev/null || echo 1)")" -- "$cur"))
		return
		;;
	--unsupported-fds)
		COMPREPLY=($(compgen -W 'null' -- "$cur"))
		return
		;;
	esac

	# Which argument is this: OUTPUT (0) or PID (1)?
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-z | --compress | -j | --jobs | --unsupported-fds)
			# Its value follows, as the next word or after an =.
			[[ ${COMP_WORDS[i + 1]} == = ]] && ((i++))
			((i++))
			;;
		-) ((npos++)) ;;
		-*) ;;
		*) ((npos++)) ;;
		esac
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-k --kill -s --stop -z --compress= -j --jobs=
			--unsupported-fds=null --tcp-established --save-files
			-q --quiet -v --verbose -h --help -V --version' -- "$cur"))
		[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		# OUTPUT may be - (standard output).
		[[ $cur == - ]] && ((npos == 0)) && COMPREPLY+=(-)
		return
	fi
	case $npos in
	0)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		[[ -z $cur ]] && COMPREPLY+=(-)
		;;
	1)
		while read -r pid name; do
			matches+=("$pid ($name)")
		done < <(_freeze_own_pids "$cur")
		if ((${#matches[@]} == 1)); then
			COMPREPLY=("${matches[0]%% *}")
		else
			COMPREPLY=("${matches[@]}")
		fi
		;;
	esac
}
complete -F _freeze freeze
