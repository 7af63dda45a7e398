"""Run every benchmark and print its figures (`make benchmark`)."""

from __future__ import annotations

import sys

import bench_autograde
import bench_browser
import bench_class
import bench_class_login
import bench_env_size
import bench_hub
import bench_import
import bench_lessons
import bench_site
import bench_tests


def main() -> int:
    failed = 0
    for name, bench in (("import", bench_import), ("lessons", bench_lessons),
                        ("autograde", bench_autograde), ("class", bench_class),
                        ("browser", bench_browser), ("env_size", bench_env_size),
                        ("hub", bench_hub), ("class_login", bench_class_login),
                        ("tests", bench_tests), ("site", bench_site)):
        print(f"\n## {name}\n", flush=True)
        failed += bench.main([]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
