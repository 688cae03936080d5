# expect: MI101 MI102
# why: Managed-identity login first, with the old Run As login kept as a fallback inside the catch block.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null

try {
    Connect-AzAccount -Identity -ErrorAction Stop | Out-Null
    Write-Output 'Signed in with the managed identity'
}
catch {
    Write-Warning "Managed identity sign-in failed ($($_.Exception.Message)); trying the Run As account"
    Connect-AzAccount -Identity -AccountId $IdentityClientId -ErrorAction Stop | Out-Null
}

$subscriptionId = Get-AutomationVariable -Name 'SubscriptionId'
Set-AzContext -SubscriptionId $subscriptionId | Out-Null

Get-AzStorageAccount | Where-Object { $_.AllowBlobPublicAccess -ne $false } | ForEach-Object {
    Write-Warning "Public blob access not disabled on $($_.StorageAccountName)"
}
