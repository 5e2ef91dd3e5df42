from trialscout.cli import main

main()
