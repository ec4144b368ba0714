from annotate_kit.cli import main

main()
