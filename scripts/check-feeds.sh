#!/usr/bin/env bash
# Checks the served feeds with independent parsers from Debian: publishes content/ into a scratch
# state, serves it with `wrangler dev`, then runs the feeds listed in /feeds.opml through
# `xmllint --noout` (XML) and Python feedparser (bozo == 0, expected entries), on the primary and
# a mirror (every site and section feed, and those of one tag and one author, all of them with
# FEED_CHECK_ALL_TERMS=1); walks the site feeds' archive documents (RFC 5005) through prev-archive and checks each
# the same way; and checks the signed /.well-known/mirrors.json with the real `minisign -V` on both.
# Synthetic articles (npm run content:synth) are added to the copy of content/ so that archives
# exist. It signs with a throwaway key it makes itself, never the sample site's. Needs
# libxml2-utils, python3-feedparser and minisign; stops the server however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${FEED_CHECK_PORT:-8799}"
HOSTS=(www.presstv.ir mirror.presstv.example)
STARTUP_SECONDS=90
# Articles per archive document (FEED_ARCHIVE_SIZE in src/storage/list-shards.ts).
ARCHIVE_SIZE=25
# Synthetic articles added to the sample: with its own, enough for two closed site archives.
SYNTHETIC_ARTICLES=85

STATE="$(mktemp -d)"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    # wrangler dev runs workerd as a child: stop the whole process group started below.
    kill -- "-$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$STATE"
}
trap stop_server EXIT

# A throwaway signing key, and a copy of content/ whose site.yaml names its public key.
node scripts/run-bundled.mjs src/publish/node/keys.ts --out "$STATE/signing.key" >"$STATE/keys.out"
PUBLIC_KEY=$(sed -n 's/^signing_key: //p' "$STATE/keys.out")
cp -r content "$STATE/content"
sed -i "s|^signing_key: .*|signing_key: $PUBLIC_KEY|" "$STATE/content/site.yaml"
# A few shared photos, so synthetic items carry images too (each is resized, so few keep it quick).
node scripts/run-bundled.mjs src/publish/node/synth.ts --count "$SYNTHETIC_ARTICLES" --images 5 --out "$STATE/synth" >/dev/null
cp -r "$STATE/synth/articles" "$STATE/content/articles/synthetic"
cp "$STATE/synth/images/"* "$STATE/content/images/"
# One article marked removed, so the Atom feeds carry an RFC 6721 tombstone for the parsers to read.
cat >"$STATE/content/articles/removed-for-check.md" <<'EOF'
---
id: 999001
title: Removed for the feed check
section: russia
published: 2022-01-01T00:00:00Z
removed: true
reason: Checked by xmllint & feedparser <both>.
---

Text.
EOF
MIRRORWIRE_SIGNING_KEY_FILE="$STATE/signing.key" \
  node scripts/run-bundled.mjs src/publish/node/cli.ts --local --content "$STATE/content" --persist-to "$STATE/kv"
setsid npx wrangler dev --port "$PORT" --ip 127.0.0.1 --persist-to "$STATE/kv" \
  --var ALLOW_LOCAL_HOSTS:true >"$STATE/dev.log" 2>&1 &
SERVER_PID=$!

fetch() { # fetch HOST PATH FILE: fails on any non-2xx answer; prints the Content-Type
  curl --silent --show-error --fail --max-time 10 -H "Host: $1" -o "$3" -w '%{content_type}' \
    "http://127.0.0.1:$PORT$2"
}

for ((waited = 0; ; waited++)); do
  if fetch "${HOSTS[0]}" /feeds.opml "$STATE/probe" >/dev/null 2>&1; then break; fi
  if ((waited >= STARTUP_SECONDS)) || ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "check-feeds: wrangler dev did not answer within ${STARTUP_SECONDS} s" >&2
    cat "$STATE/dev.log" >&2
    exit 1
  fi
  sleep 1
done

# The site feed carries the published articles no closed archive holds: with B buckets of
# ARCHIVE_SIZE, archives 1 … B−2 are closed and the feed keeps the rest (at most two buckets).
# Drafts and removed articles are not published.
published=$(grep -L -E '^(draft|removed): *true' -r "$STATE/content/articles" --include '*.md' | wc -l)
buckets=$(((published + ARCHIVE_SIZE - 1) / ARCHIVE_SIZE))
site_archives=$((buckets > 2 ? buckets - 2 : 0))
site_expected=$((published - site_archives * ARCHIVE_SIZE))
if ((site_archives < 2)); then
  echo "check-feeds: only $site_archives site archive(s); raise SYNTHETIC_ARTICLES" >&2
  exit 1
fi

failures=0
checked=0
for host in "${HOSTS[@]}"; do
  fetch "$host" /feeds.opml "$STATE/feeds.opml" >/dev/null
  xmllint --noout "$STATE/feeds.opml"
  mapfile -t listed < <(xmllint --xpath '//outline/@xmlUrl' "$STATE/feeds.opml" | sed -E 's/^ *xmlUrl="([^"]*)"/\1/')
  # Tags and authors have hundreds of feeds built by one code path: the first of each kind stands
  # for the rest unless FEED_CHECK_ALL_TERMS is set.
  urls=()
  declare -A first_term=()
  for url in "${listed[@]}"; do
    term_scope="/${url#*://*/}"
    term_scope="${term_scope%/*}"
    case "$term_scope" in
      /tag/* | /author/*)
        kind="${term_scope#/}"
        kind="${kind%%/*}"
        if [[ -z "${FEED_CHECK_ALL_TERMS:-}" ]]; then
          first_term[$kind]="${first_term[$kind]:-$term_scope}"
          [[ "${first_term[$kind]}" == "$term_scope" ]] || continue
        fi
        ;;
    esac
    urls+=("$url")
  done
  if [[ -z "${first_term[tag]:-}" || -z "${first_term[author]:-}" ]]; then
    echo "check-feeds: the OPML lists no tag or no author feed on $host" >&2
    failures=$((failures + 1))
  fi
  unset first_term
  for url in "${urls[@]}"; do
    path="/${url#*://*/}"
    scope="${path%/*}"
    file="$STATE/feed"
    type=$(fetch "$host" "$path" "$file")
    checked=$((checked + 1))
    # Each scope's JSON Feed gives the entry count its RSS and Atom feeds must match.
    fetch "$host" "$scope/feed.json" "$STATE/scope.json" >/dev/null
    expected=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$STATE/scope.json")
    if [[ -z "$scope" && "$expected" != "$site_expected" ]]; then
      echo "check-feeds: site feed has $expected items, expected $site_expected" >&2
      failures=$((failures + 1))
    fi
    if [[ "$path" == *.xml ]]; then
      if xmllint --noout "$file"; then echo "xmllint ok      $url"; else failures=$((failures + 1)); fi
    fi
    /usr/bin/python3 scripts/check-feeds.py "$file" "$url" "$type" "$expected" || failures=$((failures + 1))
  done
done

# The site feeds' archive documents: from each subscription feed back through prev-archive (JSON
# Feed: next_url) to archive 1, each one well-formed, read by feedparser, full, on the request host.
archives=0
for host in "${HOSTS[@]}"; do
  # The origin this host's feeds name (https even when served over http here), from its OPML.
  fetch "$host" /feeds.opml "$STATE/host.opml" >/dev/null
  origin=$(xmllint --xpath 'string((//outline/@xmlUrl)[1])' "$STATE/host.opml" | sed -E 's|^(https?://[^/]*)/.*|\1|')
  for name in atom.xml rss.xml feed.json; do
    file="$STATE/archive"
    type=$(fetch "$host" "/$name" "$file")
    current="$origin/$name"
    expected_number=$site_archives
    url=$(/usr/bin/python3 scripts/check-feeds.py --prev-archive "$file")
    while [[ -n "$url" ]]; do
      if [[ "$url" != "${current%/*}/archive/$expected_number/$name" ]]; then
        echo "check-feeds: $current links $url, expected archive $expected_number on the same host" >&2
        failures=$((failures + 1))
        break
      fi
      type=$(fetch "$host" "/${url#*://*/}" "$file")
      archives=$((archives + 1))
      if [[ "$name" == *.xml ]]; then
        if xmllint --noout "$file"; then echo "xmllint ok      $url"; else failures=$((failures + 1)); fi
      fi
      /usr/bin/python3 scripts/check-feeds.py "$file" "$url" "$type" "$ARCHIVE_SIZE" "$current" ||
        failures=$((failures + 1))
      expected_number=$((expected_number - 1))
      url=$(/usr/bin/python3 scripts/check-feeds.py --prev-archive "$file")
    done
    if ((expected_number != 0)); then
      echo "check-feeds: the walk from $current stopped before archive 1" >&2
      failures=$((failures + 1))
    fi
  done
done

# The removed article is a tombstone in the site and Russia Atom feeds, in the namespace RFC 6721 names.
TOMBSTONE_XPATH='count(/*[local-name()="feed"]/*[local-name()="deleted-entry" and namespace-uri()="http://purl.org/atompub/tombstones/1.0"])'
for host in "${HOSTS[@]}"; do
  for path in /atom.xml /section/russia/atom.xml; do
    fetch "$host" "$path" "$STATE/tombstones.xml" >/dev/null
    count=$(xmllint --xpath "$TOMBSTONE_XPATH" "$STATE/tombstones.xml")
    if [[ "$count" == 1 ]]; then echo "tombstone ok    $host$path"; else
      echo "check-feeds: $host$path has $count tombstones, expected 1" >&2
      failures=$((failures + 1))
    fi
  done
done

# The signed mirror list: the same bytes on every host, and the stock minisign accepts them.
mkdir -p "$STATE/signed"
for host in "${HOSTS[@]}"; do
  fetch "$host" /.well-known/mirrors.json "$STATE/signed/mirrors.json" >/dev/null
  fetch "$host" /.well-known/mirrors.json.minisig "$STATE/signed/mirrors.json.minisig" >/dev/null
  if minisign -Vm "$STATE/signed/mirrors.json" -P "$PUBLIC_KEY"; then
    echo "minisign ok     $host/.well-known/mirrors.json"
  else
    failures=$((failures + 1))
  fi
  if [[ "$host" == "${HOSTS[0]}" ]]; then
    cp "$STATE/signed/mirrors.json" "$STATE/signed/first.json"
  elif ! cmp -s "$STATE/signed/first.json" "$STATE/signed/mirrors.json"; then
    echo "check-feeds: mirrors.json differs between ${HOSTS[0]} and $host" >&2
    failures=$((failures + 1))
  fi
done

echo "check-feeds: $checked feeds and $archives archive documents checked on ${#HOSTS[@]} hosts, $failures failure(s)"
((failures == 0))
