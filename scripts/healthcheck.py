"""The web container's health check (docker-compose.yml): GET /health/ on gunicorn.

Usage: python scripts/healthcheck.py http://127.0.0.1:8000/health/

Plain HTTP from inside the container: /health/ is exempt from the HTTPS redirect. Django's host
check is kept whole for it too: the request names the site's first host of ALLOWED_HOSTS (read
from the container's environment) rather than "127.0.0.1", which ALLOWED_HOSTS need not allow.
Exits 0 when Jalon answers 200 "ok" (its database answers), 1 otherwise. Standard library only.
"""

import os
import sys
import urllib.request


def site_host(allowed_hosts: str) -> str:
    """A Host header that ALLOWED_HOSTS accepts: ".example.com" allows example.com itself."""
    hosts = [host.strip() for host in allowed_hosts.split(",") if host.strip()]
    if not hosts or hosts[0] == "*":
        return "localhost"
    return hosts[0].lstrip(".")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to HTTPS) is a failed check, not a page to follow


def main(url: str) -> int:
    host = site_host(os.environ.get("ALLOWED_HOSTS", ""))
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - a local URL
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=4) as response:
            body = response.read(100)
            if response.status == 200 and body == b"ok":
                return 0
            print(f"{url}: {response.status} {body!r}", file=sys.stderr)
    except OSError as error:  # refused, time-out, 4xx/5xx, a redirect (URLError, HTTPError)
        print(f"{url}: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
