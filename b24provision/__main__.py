from b24provision.cli import main

main()
