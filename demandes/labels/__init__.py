"""Labels (priorités, éligibilités, contingents) : droits de pose et de retrait, labels automatiques, écrans, API."""
