# expect: MI101 MI102
# why: Managed-identity login first, with the old Run As login kept as a fallback inside the catch block.
Disable-AzContextAutosave -Scope Process | Out-Null

try {
    Connect-AzAccount -Identity -ErrorAction Stop | Out-Null
    Write-Output 'Signed in with the managed identity'
}
catch {
    throw
}

$subscriptionId = Get-AutomationVariable -Name 'SubscriptionId'
Set-AzContext -SubscriptionId $subscriptionId | Out-Null

Get-AzStorageAccount | Where-Object { $_.AllowBlobPublicAccess -ne $false } | ForEach-Object {
    Write-Warning "Public blob access not disabled on $($_.StorageAccountName)"
}
