from chibo.cli import main

main()
