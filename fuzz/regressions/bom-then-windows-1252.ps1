# Café opening hours
Connect-AzAccount -Identity
Get-AzVM
