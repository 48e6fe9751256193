#!/usr/bin/env bash
# corpus.sh — fetch public dbt projects for the conformance harness into
# $GDBT_CORPUS (default <repo>/corpus, git-ignored). Their code is never committed.
#
#   scripts/corpus.sh            fetch every project (idempotent: pinned commits)
#   scripts/corpus.sh --list     print the project names
#
# Sources, in order: `git clone` from GitHub when the network allows; otherwise
# a mirror directory $GDBT_CORPUS_MIRROR (default /work/.mirror) holding
# <owner>+<name>/repo bare git directories (the search tool's `fetch` makes them),
# read with `git archive`. A mirror at another commit than the pin is used with
# a warning (its commit is recorded in corpus/projects.txt).
#
# Hub packages cannot be installed offline, so each project's packages.yml is
# rewritten to local copies under <project>/_vendor/ (dbt-utils, dbt-date), and
# dbt-utils' integration_tests keep their own `local: ../`.
#
# Output: $GDBT_CORPUS/<name>/... and $GDBT_CORPUS/projects.txt with lines
# "<name> <project dir relative to GDBT_CORPUS> <owner/repo>@<commit>", which
# `go run ./internal/conformance/cmd/conformance <name>` reads.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${GDBT_CORPUS:-$repo/corpus}
mirror=${GDBT_CORPUS_MIRROR:-/work/.mirror}

# name  owner/repo  commit  path-in-repo  project-dir-inside-name
projects=(
	"jaffle_shop dbt-labs/jaffle_shop b0b77aac70f490770a1e77c02bb0a2b8771d3203 . ."
	"jaffle-shop dbt-labs/jaffle-shop 7be2c5838dbdeca8e915d4e46db70e910753d7f6 . ."
	"dbt_utils dbt-labs/dbt-utils 700764ce230b2fb775b5338b6bc77a72233ea34c . integration_tests"
	"altered_jaffle_shop astronomer/astronomer-cosmos d2c90b4b076519f5d19c8e16948180479a984523 dev/dags/dbt/altered_jaffle_shop ."
)
# vendored packages: package-name owner/repo commit
packages=(
	"dbt_utils dbt-labs/dbt-utils 700764ce230b2fb775b5338b6bc77a72233ea34c"
	"dbt_date godatadriven/dbt-date HEAD"
)

say() { echo "corpus.sh: $*" >&2; }
die() { say "$*"; exit 1; }

if [ "${1:-}" = --list ]; then
	for p in "${projects[@]}"; do echo "${p%% *}"; done
	exit 0
fi

online=
if timeout 15 git ls-remote https://github.com/dbt-labs/jaffle_shop HEAD >/dev/null 2>&1; then
	online=1
else
	say "no network to github.com; using mirrors under $mirror"
fi

# fetch_tree owner/repo commit path dest: extract path of the repo at commit into dest;
# prints the commit actually used.
fetch_tree() {
	local gh=$1 commit=$2 path=$3 dest=$4 gitdir used
	rm -rf "$dest"
	mkdir -p "$dest"
	if [ -n "$online" ]; then
		gitdir=$out/.git-cache/${gh/\//+}.git
		if [ ! -d "$gitdir" ]; then
			git clone --quiet --bare "https://github.com/$gh.git" "$gitdir"
		elif [ "$commit" = HEAD ] || ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
			git --git-dir="$gitdir" fetch --quiet origin '+refs/heads/*:refs/heads/*'
		fi
	else
		gitdir=$mirror/${gh/\//+}/repo
		[ -d "$gitdir" ] || die "no network and no mirror of $gh at $gitdir (fetch it, or set GDBT_CORPUS_MIRROR)"
		if [ "$commit" != HEAD ] && ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
			say "warning: mirror of $gh lacks pinned commit $commit; using its HEAD"
			commit=HEAD
		fi
	fi
	used=$(git --git-dir="$gitdir" rev-parse "$commit^{commit}")
	local strip=0 spec=()
	if [ "$path" != . ]; then
		strip=$(awk -F/ '{print NF}' <<<"$path")
		spec=("$path")
	fi
	if ! git --git-dir="$gitdir" archive "$used" "${spec[@]}" 2>/dev/null | tar -x -C "$dest" --strip-components="$strip" 2>/dev/null; then
		# A snapshot mirror may lack its largest blobs: copy file by file, skip those.
		local mode type obj file rel
		while IFS=$'\t' read -r meta file; do
			read -r mode type obj <<<"$meta"
			[ "$type" = blob ] || continue
			rel=$file
			[ "$path" = . ] || rel=${file#"$path"/}
			mkdir -p "$dest/$(dirname "$rel")"
			if ! git --git-dir="$gitdir" cat-file blob "$obj" >"$dest/$rel" 2>/dev/null; then
				rm -f "$dest/$rel"
				say "warning: $gh@${used:0:12}: $file is missing from the mirror; left out"
			fi
		done < <(git --git-dir="$gitdir" ls-tree -r "$used" -- "${spec[@]}")
	fi
	echo "$used"
}

# vendor_packages dir: replace hub packages in dir/packages.yml with local copies.
vendor_packages() {
	local dir=$1 f=$1/packages.yml changed= p name gh commit
	[ -f "$f" ] || return 0
	for p in "${packages[@]}"; do
		read -r name gh commit <<<"$p"
		grep -qE "package: *[\"']?[a-z-]+/$name[\"']?" "$f" || continue
		fetch_tree "$gh" "$commit" . "$dir/_vendor/$name" >/dev/null
		rm -rf "$dir/_vendor/$name/integration_tests"
		changed=1
	done
	[ -n "$changed" ] || return 0
	# Keep local packages, vendored ones become local, anything else is dropped (noted).
	python3 - "$f" "$dir/_vendor" <<-'PY'
		import os, re, sys
		path, vendor = sys.argv[1], sys.argv[2]
		have = set(os.listdir(vendor))
		out, dropped = ["packages:"], []
		text = open(path).read()
		for block in re.split(r"\n\s*-\s+", "\n" + text.split("packages:", 1)[1]):
		    block = block.strip()
		    if not block:
		        continue
		    m = re.match(r"(package|git|local):\s*[\"']?([^\"'\s]+)", block)
		    if not m:
		        continue
		    kind, ref = m.groups()
		    name = ref.rstrip("/").split("/")[-1].replace(".git", "").replace("-", "_")
		    if kind == "local":
		        out.append(f"  - local: {ref}")
		    elif name in have:
		        out.append(f"  - local: _vendor/{name}")
		    else:
		        dropped.append(ref)
		open(path, "w").write("# rewritten by scripts/corpus.sh: hub packages vendored under _vendor/\n" + "\n".join(out) + "\n")
		for d in dropped:
		    print(f"corpus.sh: {path}: dropped package {d} (not vendored)", file=sys.stderr)
	PY
	rm -f "$dir/package-lock.yml"
}

mkdir -p "$out"
list=$out/projects.txt.tmp
: >"$list"
for p in "${projects[@]}"; do
	read -r name gh commit path sub <<<"$p"
	say "$name: $gh@${commit:0:12} ${path}"
	used=$(fetch_tree "$gh" "$commit" "$path" "$out/$name")
	projdir=$name
	[ "$sub" = . ] || projdir=$name/$sub
	rm -rf "$out/$projdir/target" "$out/$projdir/dbt_packages" "$out/$projdir/logs"
	vendor_packages "$out/$projdir"
	echo "$name $projdir $gh@$used" >>"$list"
done
mv "$list" "$out/projects.txt"
say "wrote $out/projects.txt:"
cat "$out/projects.txt" >&2
