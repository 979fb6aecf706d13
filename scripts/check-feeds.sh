#!/usr/bin/env bash
# Checks the served feeds with independent parsers from Debian: publishes content/ into a scratch
# state, serves it with `wrangler dev`, then runs the feeds listed in /feeds.opml through
# `xmllint --noout` (XML) and Python feedparser (bozo == 0, expected entries), on the primary and
# a mirror: every site and section feed, and those of one tag and one author (all of them with
# FEED_CHECK_ALL_TERMS=1). Needs libxml2-utils and python3-feedparser; stops the server however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${FEED_CHECK_PORT:-8799}"
HOSTS=(www.presstv.ir mirror.presstv.example)
STARTUP_SECONDS=90
FEED_LIMIT=50

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

npx tsx src/publish/node/cli.ts --local --persist-to "$STATE/kv"
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

# The site feed carries every published article, up to the feed limit.
published=$(grep -L -E '^draft: *true' -r content/articles --include '*.md' | wc -l)
site_expected=$((published < FEED_LIMIT ? published : FEED_LIMIT))

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

echo "check-feeds: $checked feeds checked on ${#HOSTS[@]} hosts, $failures failure(s)"
((failures == 0))
