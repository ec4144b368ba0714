from annotate_kit.cli.main import main

main()
