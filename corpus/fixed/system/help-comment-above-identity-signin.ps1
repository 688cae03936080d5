# expect: MI401
# why: A helper function opens with comment-based help right above its Connect-AzAccount -Identity; the autosave call must go below the help block, never inside it.
<#
.SYNOPSIS
    Rotates the storage account keys of every account tagged for rotation.
.NOTES
    Runs in Azure Automation with the account's system-assigned identity.
#>
#Requires -Modules Az.Accounts, Az.Storage

function Connect-RotationContext {
    <#
    .SYNOPSIS
        Signs in with the managed identity and selects the target subscription.
    .PARAMETER SubscriptionId
        The subscription that holds the storage accounts.
    #>
    param([string]$SubscriptionId)
    Disable-AzContextAutosave -Scope Process | Out-Null
    Connect-AzAccount -Identity | Out-Null
    Set-AzContext -SubscriptionId $SubscriptionId | Out-Null
}

Connect-RotationContext -SubscriptionId (Get-AutomationVariable -Name 'RotationSubscription')
foreach ($account in Get-AzStorageAccount | Where-Object { $_.Tags['rotate-keys'] -eq 'true' }) {
    New-AzStorageAccountKey -ResourceGroupName $account.ResourceGroupName -Name $account.StorageAccountName -KeyName key2 | Out-Null
    Write-Output "Rotated key2 of $($account.StorageAccountName)"
}
