"""Import en masse du parc d'un bailleur (CSV ou XLSX) : analyse, écriture, écrans."""
