# expect: MI101 MI103 MI102
# why: Retry loop around a certificate login (counter spelled with two casings) in a file that already disables context autosave first.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null

$connectionResult = Connect-AzAccount -Identity -AccountId $IdentityClientId

$targets = Get-AzWebApp | Where-Object { $_.Tags['AutoRestart'] -eq 'true' }
foreach ($site in $targets)
{
    Write-Output "Restarting $($site.Name)"
    Restart-AzWebApp -ResourceGroupName $site.ResourceGroup -Name $site.Name | Out-Null
}
