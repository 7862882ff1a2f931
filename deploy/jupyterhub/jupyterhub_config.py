# JupyterHub configuration for a dcteach course (see docs/lecturers.md).
#
#   jupyterhub -f deploy/jupyterhub/jupyterhub_config.py      # a real deployment (as root)
#   dcteach hub --students 3                                   # the local demo (sets DCTEACH_HUB_MODE=demo)
#
# Everything a lecturer may change is read from the environment, so the file stays as it is:
#
#   DCTEACH_HUB_MODE        production (default) | demo
#   DCTEACH_HUB_AUTH        native (default) | lti13 | shared (demo only)
#   DCTEACH_HUB_URL         public URL the proxy listens on (default http://127.0.0.1:8000)
#   DCTEACH_HUB_STATE       folder for the hub's database and cookie secret (default /srv/dcteach/hub)
#   DCTEACH_EXCHANGE        the submissions exchange (default /srv/dcteach/exchange)
#   DCTEACH_RELEASE_DIR     folder the lecturer releases exercises into (students get them at next start)
#   DCTEACH_LANG            the course language in students' servers: en | ru (default en)
#   DCTEACH_LECTURERS       comma-separated hub user names who are admins (default: lecturer)
#   DCTEACH_HUB_SSL_KEY, DCTEACH_HUB_SSL_CERT   HTTPS on the proxy (see docs/lecturers.md)
#   DCTEACH_CULL_TIMEOUT    seconds of inactivity before a server is stopped (default 3600)
#   DCTEACH_MPL_CACHE       folder of the matplotlib font cache built at hub start and copied into each
#                           new student's home (default /srv/dcteach/shared/matplotlib; demo: in the state
#                           folder); it must be readable by every student
#   DCTEACH_LTI_ISSUER, DCTEACH_LTI_CLIENT_ID, DCTEACH_LTI_AUTHORIZE_URL, DCTEACH_LTI_JWKS_URL,
#   DCTEACH_LTI_USERNAME_KEY  LTI 1.3 from Moodle or Canvas
#
# Students' servers run `python -m dcteach.hub.singleuser`, which copies the student release into
# ~/dcteach-course (merging updates, keeping the student's edits) and starts jupyterhub-singleuser
# there, in the same Python environment as the hub (the one that has dcteach installed). The wrapper
# also turns off the server extensions a student does not use (dcteach/hub/student_env/): see
# dcteach/hub/singleuser.py and, for the CPU seconds this saves, benchmarks/bench_hub.py.

import os
import shutil
import subprocess
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub)

HERE = Path(__file__).resolve().parent
MODE = os.environ.get("DCTEACH_HUB_MODE", "production")
DEMO = MODE == "demo"
STATE = Path(os.environ.get("DCTEACH_HUB_STATE", "/srv/dcteach/hub"))
EXCHANGE = os.environ.get("DCTEACH_EXCHANGE", "/srv/dcteach/exchange")
LANG = os.environ.get("DCTEACH_LANG", "en")
LECTURERS = {n.strip() for n in os.environ.get("DCTEACH_LECTURERS", "lecturer").split(",") if n.strip()}
AUTH = os.environ.get("DCTEACH_HUB_AUTH", "shared" if DEMO else "native")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# --- network: only the proxy faces users; the hub and the proxy's API stay on loopback -------------
c.JupyterHub.bind_url = os.environ.get("DCTEACH_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("DCTEACH_HUB_INTERNAL_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('DCTEACH_HUB_PROXY_API_PORT', '8001')}"
# configurable-http-proxy from npm: `deploy/jupyterhub/install-proxy` (npm ci; package.json, package-lock.json here)
_proxy = os.environ.get("DCTEACH_HUB_PROXY") or str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")
if not Path(_proxy).is_file():
    _proxy = shutil.which("configurable-http-proxy") or _proxy
c.ConfigurableHTTPProxy.command = [_proxy]
if os.environ.get("DCTEACH_HUB_SSL_KEY"):
    # HTTPS terminates at the proxy; or leave these unset and put nginx/caddy with a certificate in front.
    c.JupyterHub.ssl_key = os.environ["DCTEACH_HUB_SSL_KEY"]
    c.JupyterHub.ssl_cert = os.environ["DCTEACH_HUB_SSL_CERT"]

STATE.mkdir(parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server and the proxy

# --- who logs in ---------------------------------------------------------------------------------
c.Authenticator.admin_users = LECTURERS  # lecturers are admins
if AUTH == "native":
    # A small class: students sign up at /hub/signup; a lecturer approves them at /hub/authorize.
    import nativeauthenticator

    c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
    c.JupyterHub.template_paths = [str(Path(nativeauthenticator.__file__).parent / "templates")]
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 600
    c.Authenticator.allow_all = True  # approval at /hub/authorize is the allow list
elif AUTH == "lti13":
    # Launch from Moodle or Canvas (LTI 1.3); register the tool with the URLs in docs/lecturers.md.
    from ltiauthenticator.lti13.auth import LTI13Authenticator

    _ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"

    class CourseLTI13Authenticator(LTI13Authenticator):
        """LTI 1.3 whose Instructor role makes a lecturer an admin of the hub."""

        async def authenticate(self, handler, data=None):
            model = await super().authenticate(handler, data)
            roles = (data or {}).get(_ROLES, [])
            if any(r.endswith("#Instructor") or r.endswith("/Instructor") for r in roles):
                model["admin"] = True
            return model

    c.JupyterHub.authenticator_class = CourseLTI13Authenticator
    c.LTI13Authenticator.issuer = os.environ.get("DCTEACH_LTI_ISSUER", "")
    c.LTI13Authenticator.client_id = [os.environ.get("DCTEACH_LTI_CLIENT_ID", "")]
    c.LTI13Authenticator.authorize_url = os.environ.get("DCTEACH_LTI_AUTHORIZE_URL", "")
    c.LTI13Authenticator.jwks_endpoint = os.environ.get("DCTEACH_LTI_JWKS_URL", "")
    c.LTI13Authenticator.username_key = os.environ.get("DCTEACH_LTI_USERNAME_KEY", "email")
    c.LTI13Authenticator.uri_scheme = "https"
    c.LTI13Authenticator.tool_name = "dcteach: digital customs"
    c.Authenticator.allow_all = True  # the LMS decides who may launch
elif AUTH == "shared":
    if not DEMO:
        raise SystemExit("DCTEACH_HUB_AUTH=shared is only for the local demo (DCTEACH_HUB_MODE=demo)")
    # One password for the demo students, another (at least 32 characters) for the lecturer.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["DCTEACH_HUB_PASSWORD"]
    c.SharedPasswordAuthenticator.admin_password = os.environ["DCTEACH_HUB_ADMIN_PASSWORD"]
    _students = int(os.environ.get("DCTEACH_HUB_STUDENTS", "3"))
    c.Authenticator.allowed_users = {f"student{i:02d}" for i in range(1, _students + 1)} | LECTURERS
else:
    raise SystemExit(f"DCTEACH_HUB_AUTH={AUTH!r}: choose native, lti13 or shared (demo)")

# --- students' servers ----------------------------------------------------------------------------
c.Spawner.cmd = [sys.executable, "-m", "dcteach.hub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"DCTEACH_LANG": LANG, "DCTEACH_EXCHANGE": EXCHANGE}
# matplotlib's font cache, built once here instead of in every new student's home (about 0.7 CPU
# seconds each on a class's first day); dcteach.hub.singleuser copies it in before the server starts.
MPL_CACHE = Path(os.environ.get("DCTEACH_MPL_CACHE")
                 or (STATE / "shared" / "matplotlib" if DEMO else "/srv/dcteach/shared/matplotlib"))
try:
    MPL_CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=True, timeout=300,
                   env={**os.environ, "MPLCONFIGDIR": str(MPL_CACHE)}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    c.Spawner.environment["DCTEACH_MPL_CACHE"] = str(MPL_CACHE)
except (OSError, subprocess.SubprocessError) as exc:  # only a speed-up: each student builds their own
    print(f"dcteach: no shared matplotlib font cache in {MPL_CACHE}: {exc}", file=sys.stderr)
if os.environ.get("DCTEACH_RELEASE_DIR"):  # exercises the lecturer releases during the term
    c.Spawner.environment["DCTEACH_RELEASE_DIR"] = os.environ["DCTEACH_RELEASE_DIR"]
# A busy machine needs time: at 30 arrivals on 2 cores a server took over a minute to answer.
c.Spawner.http_timeout = int(os.environ.get("DCTEACH_SPAWN_TIMEOUT", "300"))
c.Spawner.start_timeout = int(os.environ.get("DCTEACH_SPAWN_TIMEOUT", "300"))
c.Spawner.mem_limit = os.environ.get("DCTEACH_MEM_LIMIT", "1G")  # enforced by KubeSpawner/SystemdSpawner
if DEMO:
    # One system account for everyone, a home folder per student (see docs/lecturers.md, "local demo").
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
    if IS_ROOT:
        c.Spawner.args = ["--allow-root"]
else:
    # A system user per student: the operating system keeps their files and submissions apart.
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"


def _pre_spawn(spawner):
    """Before a server starts: its system user (production, as root) and its exchange folders."""
    from dcteach.exercises.exchange import ensure_student

    name = spawner.user.name
    if not DEMO and IS_ROOT:
        import pwd

        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
    ensure_student(name, EXCHANGE)


c.Spawner.pre_spawn_hook = _pre_spawn

# --- services -------------------------------------------------------------------------------------
_services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={os.environ.get('DCTEACH_CULL_TIMEOUT', '3600')}"],
}]
_roles = [{"name": "idle-culler", "services": ["idle-culler"],
           "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
if os.environ.get("DCTEACH_HUB_API_TOKEN"):
    # The lecturer's scripts, the tests and the load test drive the hub through its REST API.
    _services.append({"name": "dcteach-admin", "api_token": os.environ["DCTEACH_HUB_API_TOKEN"]})
    _roles.append({"name": "dcteach-admin", "services": ["dcteach-admin"],
                   "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"]})
c.JupyterHub.services = _services
c.JupyterHub.load_roles = _roles
