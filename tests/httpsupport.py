"""Helpers shared by the integration and differential tests: free loopback ports, HTTP calls that
return the status instead of raising on HTTP errors, and polling until a condition holds."""
import socket
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(request, timeout=10):
    """Returns (status, body bytes) for a URL or `urllib.request.Request`; HTTP errors are results,
    transport errors (refused, timed out) raise `OSError`."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def http_get(url, headers=None, timeout=10):
    return http_request(urllib.request.Request(url, headers=headers or {}), timeout)


def http_post(url, data, headers=None, timeout=10):
    return http_request(urllib.request.Request(url, data=data, headers=headers or {}, method="POST"), timeout)


def wait_for(predicate, timeout=20, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # noqa: BLE001 - keep polling until the deadline
            last = error
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last result: {last!r}")
