# expect: MI902
# why: A managed-identity runbook whose sign-in splat hashtable is never closed (syntax error); the unread region holds the sign-in, and there is no other finding.
param([string] $Prefix = 'tmp-', [string] $SubscriptionId)

$signIn = @{
    Identity     = $true
    Subscription = $SubscriptionId

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount @signIn | Out-Null

$groups = Get-AzResourceGroup | Where-Object { $_.ResourceGroupName -like "$Prefix*" }
foreach ($group in $groups) {
    $expires = $group.Tags['ExpiresOn']
    if ($expires -and [datetime]$expires -lt (Get-Date)) {
        Write-Output "Deleting expired resource group $($group.ResourceGroupName)"
        Remove-AzResourceGroup -Name $group.ResourceGroupName -Force -AsJob | Out-Null
    }
}

Write-Output 'Cleanup jobs submitted'
Get-Job | Wait-Job | Receive-Job
