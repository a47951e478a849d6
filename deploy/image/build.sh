#!/bin/sh
# The image's build steps, in one place: the Dockerfile runs this, and so does
# tests/test_image.py, in a plain folder when no image can be built. Usage:
#   deploy/image/build.sh VENV APP [SOURCE]
# makes the virtual environment VENV with the locked runtime requirements only, and puts the site
# into APP with its messages compiled and its static files collected (nothing is written there
# at run time: the root file system may be read-only).
set -eu
venv=$1
app=$2
source=${3:-.}

python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$source/requirements/runtime.txt"

mkdir -p "$app"
for part in manage.py mesoclinic sitewide treatments appointments templates static locale fixtures deploy; do
    cp -R "$source/$part" "$app/$part"
done
find "$app" -name __pycache__ -prune -exec rm -rf {} +

# Production settings refuse to start without these: values for the build alone, never kept.
cd "$app"
DJANGO_SETTINGS_MODULE=mesoclinic.settings.production \
DJANGO_SECRET_KEY=image-build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
DJANGO_ALLOWED_HOSTS=build.invalid DATABASE_URL=postgres://build.invalid/build REDIS_URL=redis://build.invalid \
DJANGO_SITE_URL=https://build.invalid DJANGO_DEFAULT_FROM_EMAIL=build@build.invalid DJANGO_EMAIL_HOST=build.invalid \
DJANGO_STATIC_ROOT="$app/staticfiles" \
    sh -c '"$0/bin/python" manage.py compile_translations --verbosity 0 &&
           "$0/bin/python" manage.py collectstatic --noinput --verbosity 0' "$venv"
"$venv/bin/python" -m compileall -q "$app" >/dev/null
