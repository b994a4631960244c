"""Wait for a running Jalon, log in as the demo rep and fetch the dashboard.

Usage: python scripts/smoke.py http://127.0.0.1:8000
"""

import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request


def main(base: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + 600
    while True:
        try:
            page = opener.open(f"{base}/accounts/login/", timeout=5).read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                print("Jalon did not answer in time", file=sys.stderr)
                return 1
            time.sleep(2)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": "alice", "password": "jalon-demo", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the local server given on the command line
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    response = opener.open(request, timeout=30)
    dashboard = response.read().decode()
    if response.geturl().rstrip("/") != base.rstrip("/") or 'class="sidebar"' not in dashboard:
        print(f"login did not reach the dashboard: {response.geturl()}", file=sys.stderr)
        return 1
    if "Alice" not in dashboard:
        print("the dashboard does not greet the demo rep", file=sys.stderr)
        return 1
    print(f"logged in as alice and served the dashboard at {response.geturl()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
