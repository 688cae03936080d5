# expect: MI505
# why: MSOnline sign-in with a stored credential: retired and without a managed-identity form, reported with no fix (the commands must be rewritten on Graph by hand).
$credential = Get-AutomationPSCredential -Name 'LicenceReporter'
Connect-MsolService -Credential $credential

$skus = Get-MsolAccountSku
foreach ($sku in $skus) {
    $free = $sku.ActiveUnits - $sku.ConsumedUnits
    Write-Output ("{0}: {1} of {2} free" -f $sku.AccountSkuId, $free, $sku.ActiveUnits)
}
