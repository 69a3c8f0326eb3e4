# Python tools mmp's tests, reference scripts and benchmarks use, each set in a virtualenv of its
# own under a cache folder, with pinned versions (scripts/requirements/NAME.txt). Source it; it
# defines functions only.
#
#   venv=$(mmp_python_env test)      # creates or refreshes $MMP_CACHE_DIR/venv-test when test.txt changed
#   "$venv/bin/python" -c 'import selenium'

# The cache folder: MMP_CACHE_DIR, else $XDG_CACHE_HOME/mmp, else ~/.cache/mmp.
mmp_cache_dir() {
    local dir="${MMP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mmp}"
    mkdir -p "$dir" && printf '%s\n' "$dir"
}

# mmp_python_env NAME — prints the path of a virtualenv holding scripts/requirements/NAME.txt.
# Built once per version of that file (its SHA-256 is stamped in the virtualenv); concurrent
# callers wait on a lock instead of installing twice.
mmp_python_env() {
    local name=$1
    local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    local requirements="$root/scripts/requirements/$name.txt"
    [ -f "$requirements" ] || { echo "no requirements file $requirements" >&2; return 1; }
    local cache; cache=$(mmp_cache_dir) || return 1
    local venv="$cache/venv-$name"
    local stamp; stamp=$( { cat "$requirements"; python3 --version; } | sha256sum | cut -c1-16)
    (
        flock 9
        if [ "$(cat "$venv/.mmp-stamp" 2>/dev/null)" != "$stamp" ]; then
            mmp_log "installing the Python packages of scripts/requirements/$name.txt into $venv"
            rm -rf "$venv"
            python3 -m venv "$venv" >&2 || { echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
            "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2 \
                || { echo "pip install -r $requirements failed" >&2; rm -rf "$venv"; exit 1; }
            printf '%s\n' "$stamp" >"$venv/.mmp-stamp"
        fi
    ) 9>"$cache/venv-$name.lock" || return 1
    printf '%s\n' "$venv"
}
