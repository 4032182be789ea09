from productionize.adapters.cli import main

main()
