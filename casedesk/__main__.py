from casedesk.app import main

raise SystemExit(main())
