# expect: MI902
# why: A managed-identity runbook whose foreach body is never closed (syntax error), with no other finding in it.
param([string] $Prefix = 'tmp-')

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$groups = Get-AzResourceGroup | Where-Object { $_.ResourceGroupName -like "$Prefix*" }
foreach ($group in $groups) {
    $expires = $group.Tags['ExpiresOn']
    if ($expires -and [datetime]$expires -lt (Get-Date)) {
        Write-Output "Deleting expired resource group $($group.ResourceGroupName)"
        Remove-AzResourceGroup -Name $group.ResourceGroupName -Force -AsJob | Out-Null
    }

Write-Output 'Cleanup jobs submitted'
Get-Job | Wait-Job | Receive-Job
