# The two commands of README.md. Both install what they need and are idempotent.
.PHONY: run test build bench

run:  ## build Gyre and run it with the seed's config (memory engine, port 8000)
	tools/run-gyre.sh

test:  ## build once and run every test stage
	tools/run-tests.sh

build:
	tools/setup.sh && tools/build.sh dev >/dev/null
