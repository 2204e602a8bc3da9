from cot_viewer.cli import main

raise SystemExit(main())
