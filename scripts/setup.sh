#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare a Debian 12 machine to build and test this project, then build it.
#
#   1. install the Debian packages we build/test with (only if any is missing)
#   2. make the DPDK driver SDK headers available (Debian's libdpdk-dev does
#      not ship them; we take them from the matching Debian source package)
#   3. reserve hugepages and mount hugetlbfs (best effort, root only)
#   4. meson setup/configure + ninja
#
# Safe to re-run: every step first checks whether its work is already done,
# so a second run takes seconds and touches no network.
#
# Environment:
#   SETUP_EXTRA_PACKAGES  extra Debian packages to install (space separated)
#   HUGEPAGES             wanted number of 2 MiB hugepages (default 1024)
#   BUILD_DIR             meson build directory (default: build)
#   MESON_OPTS            extra options for meson (e.g. -Db_sanitize=address);
#                         they come after BUILD_OPTS below and so win
#   SETUP_NO_BUILD=1      stop before configuring/building
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

BASE_PACKAGES=(
    libdpdk-dev dpdk-dev dpdk libnuma-dev
    meson ninja-build pkg-config python3-pyelftools
    gcc g++ clang libclang-rt-14-dev
    libbenchmark-dev
    dpkg-dev    # provides what "apt-get source" needs
    xz-utils    # the DPDK orig tarball is .tar.xz
    tshark      # reads back the net_vmci capture test's pcapng
    strace patch iproute2   # the devbind test: sysfs writes, the patch, devbind's "ip route"
)

# Driver-facing headers that the Debian packaging leaves out, with their
# location inside the DPDK 22.11 source tree.
SDK_HEADERS=(
    lib/eal/include/bus_driver.h
    lib/eal/include/dev_driver.h
    drivers/bus/pci/bus_pci_driver.h
    drivers/bus/vdev/bus_vdev_driver.h
    lib/ethdev/ethdev_driver.h
    lib/ethdev/ethdev_vdev.h
    lib/ethdev/ethdev_pci.h
)

# Options every development and CI build gets: warnings are errors, the
# data path is compiled for this machine (the benchmarks compare it with
# memcpy on the same cores), and the pkg-config file is relocatable (the
# install tests read it from a staging folder). meson.build defaults to none
# of the first two, for builds of binaries that run elsewhere.
BUILD_OPTS=(-Dwerror=true -Dnative_arch=true -Dpkgconfig.relocatable=true)

# Files we own for derived deb-src entries (one per sources format).
SRC_LIST_DEB822=/etc/apt/sources.list.d/vmci-dpdk-src.sources
SRC_LIST_ONELINE=/etc/apt/sources.list.d/vmci-dpdk-src.list

# Filled in by setup_sdk_headers: empty means DPDK's own headers suffice.
SDK_INCLUDE_DIR=""

APT_UPDATED=0
TMP_DIRS=()

log()  { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: WARNING: %s\n' "$*" >&2; }
die()  { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

cleanup() {
    local d
    for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do
        rm -rf -- "$d"
    done
}
trap cleanup EXIT
# set -e exits silently; say where it happened so failures are debuggable.
set -o errtrace
trap 'printf "setup: ERROR: command failed (line %s): %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command with root rights; sudo is only needed (and only used) when
# we are not root already, since minimal containers often lack sudo.
as_root() {
    if is_root; then
        "$@"
    else
        command -v sudo >/dev/null 2>&1 || die "need root for: $* (and sudo is not installed)"
        sudo "$@"
    fi
}

apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
}

# ---------------------------------------------------------------- packages

pkg_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ]
}

install_packages() {
    local wanted=("${BASE_PACKAGES[@]}") missing=() p
    if [ -n "${SETUP_EXTRA_PACKAGES:-}" ]; then
        local extra
        read -r -a extra <<<"$SETUP_EXTRA_PACKAGES"
        wanted+=("${extra[@]}")
    fi
    for p in "${wanted[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "packages: all ${#wanted[@]} present"
        return
    fi
    log "packages: installing ${missing[*]}"
    apt_update_once
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# ------------------------------------------------------------- SDK headers

# True when every SDK header is found in one of the given folders.
headers_present_in() {
    local h name dir found
    for h in "${SDK_HEADERS[@]}"; do
        name="${h##*/}"
        found=0
        for dir in "$@"; do
            if [ -f "$dir/$name" ]; then found=1; break; fi
        done
        [ "$found" -eq 1 ] || return 1
    done
}

# Codename of this release (e.g. "bookworm"); used to tell Debian archive
# entries apart from third-party repositories.
os_codename() {
    local codename=""
    if [ -r /etc/os-release ]; then
        # shellcheck source=/dev/null
        codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
    fi
    [ -n "$codename" ] || codename="$(lsb_release -sc 2>/dev/null || true)"
    [ -n "$codename" ] || die "cannot determine the Debian codename"
    printf '%s\n' "$codename"
}

# Print deb822 deb-src stanzas mirroring the enabled "Types: deb" stanzas of
# the given .sources files whose suites belong to this release.
derive_deb822_src() {
    local codename="$1"; shift
    awk -v codename="$codename" '
        function flush() {
            if (types ~ /(^|[ \t])deb([ \t]|$)/ && types !~ /deb-src/ &&
                enabled !~ /^[ \t]*no[ \t]*$/ &&
                suites ~ ("(^|[ \t\n])" codename "([-/][^ \t\n]*)?([ \t\n]|$)") &&
                uris != "") {
                print "Types: deb-src"
                print "URIs:" uris
                print "Suites:" suites
                if (comps != "")  print "Components:" comps
                if (signed != "") print "Signed-By:" signed
                print ""
            }
            types = uris = suites = comps = signed = enabled = k = ""
        }
        FNR == 1 { flush() }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        # Continuation line (e.g. an inline Signed-By key block): keep it
        # verbatim with the field it belongs to.
        /^[ \t]/ {
            if (k == "signed-by") signed = signed "\n" $0
            else if (k == "uris") uris = uris "\n" $0
            else if (k == "suites") suites = suites "\n" $0
            else if (k == "components") comps = comps "\n" $0
            next
        }
        {
            key = $0; sub(/:.*/, "", key)
            val = $0; sub(/^[^:]*:/, "", val)
            k = tolower(key)
            if (k == "types")           types = val
            else if (k == "uris")       uris = val
            else if (k == "suites")     suites = val
            else if (k == "components") comps = val
            else if (k == "signed-by")  signed = val
            else if (k == "enabled")    enabled = val
        }
        END { flush() }
    ' "$@"
}

# Print deb-src lines mirroring the one-line "deb" entries of this release.
derive_oneline_src() {
    local codename="$1" file="$2"
    awk -v codename="$codename" '
        $1 == "deb" && $0 ~ ("[ \t]" codename "([-/][^ \t]*)?([ \t]|$)") {
            sub(/^[ \t]*deb[ \t]/, "deb-src ")
            print
        }
    ' "$file"
}

# Add deb-src entries derived from the machine's own apt sources, so that
# "apt-get source" works without hard-coding any mirror.
add_deb_src_entries() {
    local codename content added=0
    codename="$(os_codename)"
    local deb822_files=()
    shopt -s nullglob
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ "$f" = "$SRC_LIST_DEB822" ] || deb822_files+=("$f")
    done
    shopt -u nullglob

    if [ "${#deb822_files[@]}" -gt 0 ]; then
        content="$(derive_deb822_src "$codename" "${deb822_files[@]}")"
        if [ -n "$content" ]; then
            log "apt: writing deb-src entries to $SRC_LIST_DEB822"
            printf '# Written by scripts/setup.sh: deb-src twins of the %s entries\n%s\n' \
                "$codename" "$content" | as_root tee "$SRC_LIST_DEB822" >/dev/null
            added=1
        fi
    fi
    if [ -f /etc/apt/sources.list ]; then
        content="$(derive_oneline_src "$codename" /etc/apt/sources.list)"
        if [ -n "$content" ]; then
            log "apt: writing deb-src entries to $SRC_LIST_ONELINE"
            printf '# Written by scripts/setup.sh: deb-src twins of the %s entries\n%s\n' \
                "$codename" "$content" | as_root tee "$SRC_LIST_ONELINE" >/dev/null
            added=1
        fi
    fi
    [ "$added" -eq 1 ] || die "no Debian '$codename' apt entries found to derive deb-src entries from"
    # The index we have is now stale for sources; force a fresh update.
    APT_UPDATED=0
    apt_update_once
}

# Versions of the "dpdk" source package that apt knows about (may be empty).
dpdk_source_versions() {
    # apt-cache exits non-zero when there are no deb-src entries at all;
    # that simply means "none known" here.
    { apt-cache showsrc --only-source dpdk 2>/dev/null || true; } \
        | awk '/^Version:/ { print $2 }' | sort -u
}

# Make sure apt can hand out dpdk source version $1, or fail clearly.
ensure_dpdk_source_available() {
    local want="$1" versions
    versions="$(dpdk_source_versions)"
    if [ -z "$versions" ]; then
        log "apt: no dpdk source package known; enabling deb-src"
        add_deb_src_entries
        versions="$(dpdk_source_versions)"
        [ -n "$versions" ] || die "apt still knows no 'dpdk' source package after adding deb-src entries"
    fi
    if ! grep -qxF -- "$want" <<<"$versions"; then
        die "installed libdpdk-dev is $want, but apt offers dpdk source version(s): $(tr '\n' ' ' <<<"$versions")- refusing to mix headers from another version"
    fi
}

# Download the dpdk source of version $1 and copy the SDK headers into $2.
fetch_sdk_headers() {
    local version="$1" dest="$2" tmp upstream tarballs tarball tar_version h
    tmp="$(mktemp -d)"
    TMP_DIRS+=("$tmp")
    # apt drops privileges to _apt while downloading; let it write here so
    # it does not warn about an unsandboxed download.
    chmod 0777 "$tmp"

    log "sdk: downloading Debian source dpdk=$version"
    (cd "$tmp" && apt-get source -q --download-only "dpdk=$version") \
        || die "apt-get source dpdk=$version failed"

    # Upstream part of the Debian version: drop epoch and Debian revision.
    upstream="${version#*:}"
    upstream="${upstream%-*}"

    shopt -s nullglob
    tarballs=("$tmp"/dpdk_*.orig.tar.*)
    shopt -u nullglob
    [ "${#tarballs[@]}" -eq 1 ] || die "expected one dpdk orig tarball, found: ${tarballs[*]:-none}"
    tarball="${tarballs[0]}"
    case "${tarball##*/}" in
        "dpdk_${upstream}.orig.tar."*) ;;
        *) die "downloaded ${tarball##*/} does not match installed libdpdk-dev $version (upstream $upstream)" ;;
    esac

    # Check the tree itself, not only the file name: DPDK records its
    # release in the top-level VERSION file.
    mkdir "$tmp/x"
    tar -xf "$tarball" -C "$tmp/x" --wildcards '*/VERSION' \
        || die "no VERSION file in ${tarball##*/}"
    tar_version="$(cat "$tmp"/x/*/VERSION)"
    tar_version="${tar_version//[[:space:]]/}"
    [ "$tar_version" = "$upstream" ] \
        || die "source tarball is DPDK $tar_version but installed libdpdk-dev is $version (upstream $upstream)"

    local patterns=()
    for h in "${SDK_HEADERS[@]}"; do patterns+=("*/$h"); done
    tar -xf "$tarball" -C "$tmp/x" --wildcards "${patterns[@]}" \
        || die "could not extract SDK headers from ${tarball##*/}"

    # Fill a scratch folder first and move it into place, so an interrupted
    # run never leaves a half-filled include dir behind.
    local staging="$dest.partial"
    rm -rf -- "$staging"
    mkdir -p "$staging"
    for h in "${SDK_HEADERS[@]}"; do
        install -m 0644 "$tmp"/x/*/"$h" "$staging/"
    done
    rm -rf -- "$dest"
    mv "$staging" "$dest"
}

setup_sdk_headers() {
    local dpdk_inc
    dpdk_inc="$(pkg-config --variable=includedir libdpdk)" \
        || die "pkg-config does not know libdpdk (is libdpdk-dev installed?)"
    if headers_present_in "$dpdk_inc" "$dpdk_inc/dpdk"; then
        SDK_INCLUDE_DIR=""
        log "sdk: installed DPDK already ships the driver headers ($dpdk_inc)"
        return
    fi

    local version sdk_root dest stamp
    version="$(dpkg-query -W -f='${Version}' libdpdk-dev)"
    # ':' (epoch) is awkward in paths and include flags; nothing else is.
    sdk_root="$REPO_ROOT/.sdk/dpdk-${version//:/_}"
    dest="$sdk_root/include"
    stamp="$sdk_root/.stamp"

    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && headers_present_in "$dest"; then
        SDK_INCLUDE_DIR="$dest"
        log "sdk: headers for $version already extracted"
    else
        ensure_dpdk_source_available "$version"
        mkdir -p "$sdk_root"
        rm -f -- "$stamp"
        fetch_sdk_headers "$version" "$dest"
        headers_present_in "$dest" || die "SDK headers missing in $dest after extraction"
        printf '%s\n' "$version" >"$stamp"
        SDK_INCLUDE_DIR="$dest"
    fi
    log "sdk: include dir $SDK_INCLUDE_DIR"
}

# --------------------------------------------------------------- hugepages

hugepages_total() {
    awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo
}

setup_hugepages() {
    local want_pages="${HUGEPAGES:-1024}" total
    case "$want_pages" in
        ''|*[!0-9]*) die "HUGEPAGES must be a number, got '$want_pages'" ;;
    esac
    total="$(hugepages_total)"
    if [ "${total:-0}" -lt "$want_pages" ]; then
        if is_root; then
            log "hugepages: raising from ${total:-0} to $want_pages"
            # The kernel may grant fewer pages (fragmentation) or refuse in a
            # container; tests can still run with --no-huge, so do not abort.
            if ! echo "$want_pages" 2>/dev/null >/proc/sys/vm/nr_hugepages; then
                warn "could not write /proc/sys/vm/nr_hugepages"
            fi
        else
            warn "hugepages: $total < $want_pages and not root; run: echo $want_pages | sudo tee /proc/sys/vm/nr_hugepages"
        fi
    fi

    if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
        if is_root; then
            log "hugepages: mounting hugetlbfs on /dev/hugepages"
            if ! { mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages; }; then
                warn "could not mount hugetlbfs on /dev/hugepages"
            fi
        else
            warn "hugepages: no hugetlbfs mounted and not root; run: sudo mount -t hugetlbfs nodev /dev/hugepages"
        fi
    fi

    total="$(hugepages_total)"
    if [ "${total:-0}" -lt "$want_pages" ]; then
        warn "hugepages: only ${total:-0} of $want_pages available"
    fi
    log "hugepages: HugePages_Total=${total:-0}"
}

# ------------------------------------------------------------------- build

# Current value of a meson option in an existing build dir.
meson_option_value() {
    meson introspect --buildoptions "$1" | python3 -c '
import json, sys
name = sys.argv[1]
for opt in json.load(sys.stdin):
    if opt["name"] == name:
        value = opt["value"]
        if isinstance(value, bool):
            value = str(value).lower()
        elif isinstance(value, list):
            value = " ".join(value)
        print(value)
        break
' "$2"
}

# True when every -Dname=value given already holds in the build dir, so
# that a second run does not reconfigure (and rebuild) for nothing.
build_opts_applied() {
    local build_dir="$1" opt name want; shift
    for opt in "$@"; do
        case "$opt" in
            -D*=*) ;;
            *) return 1 ;;
        esac
        name="${opt#-D}"; name="${name%%=*}"
        want="${opt#*=}"
        [ "$(meson_option_value "$build_dir" "$name")" = "$want" ] || return 1
    done
}

build_project() {
    local build_dir="${BUILD_DIR:-build}" opts=("${BUILD_OPTS[@]}") extra=()
    if [ -n "${MESON_OPTS:-}" ]; then
        read -r -a extra <<<"$MESON_OPTS"
        opts+=("${extra[@]}")
    fi

    if [ ! -f "$build_dir/build.ninja" ]; then
        local wipe=()
        # A dir left by an aborted setup has meson state but no build.ninja;
        # plain "meson setup" would refuse to reuse it.
        if [ -f "$build_dir/meson-private/coredata.dat" ]; then wipe=(--wipe); fi
        log "build: meson setup $build_dir"
        meson setup "${wipe[@]+"${wipe[@]}"}" "$build_dir" \
            "-Dsdk_include_dir=$SDK_INCLUDE_DIR" "${opts[@]+"${opts[@]}"}"
    else
        local current
        current="$(meson_option_value "$build_dir" sdk_include_dir)"
        if [ "$current" != "$SDK_INCLUDE_DIR" ]; then
            log "build: sdk_include_dir changed ('$current' -> '$SDK_INCLUDE_DIR'); reconfiguring"
            meson configure "$build_dir" "-Dsdk_include_dir=$SDK_INCLUDE_DIR"
        fi
        # Explicitly requested options should not be silently ignored just
        # because the build dir already exists; BUILD_OPTS reach build dirs
        # made before they were added.
        if ! build_opts_applied "$build_dir" "${opts[@]}"; then
            log "build: applying ${opts[*]} to existing $build_dir"
            meson configure "$build_dir" "${opts[@]}"
        fi
    fi
    log "build: ninja -C $build_dir"
    ninja -C "$build_dir"
}

main() {
    install_packages
    setup_sdk_headers
    setup_hugepages
    if [ "${SETUP_NO_BUILD:-0}" = "1" ]; then
        log "build: skipped (SETUP_NO_BUILD=1)"
    else
        build_project
    fi
    log "done (sdk include dir: ${SDK_INCLUDE_DIR:-<installed DPDK headers>})"
}

main "$@"
