from sora_guard.cli import main

raise SystemExit(main())
