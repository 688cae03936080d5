# expect: MI101 MI102 MI401 MI104 MI501
# why: The Run As connection feeds an Azure and an Exchange sign-in and a log line: both sign-ins are rewritten, but the connection must stay, and stay reported, while the log line reads it.
param([string]$Organization = 'contoso.onmicrosoft.com')

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$conn = Get-AutomationConnection -Name AzureRunAsConnection
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
Write-Output ("Signed in as application " + $conn.ApplicationId)

Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId $IdentityClientId -Organization $Organization -ShowBanner:$false
$stale = Get-Mailbox -ResultSize Unlimited | Where-Object { $_.WhenChanged -lt (Get-Date).AddYears(-2) }
foreach ($mailbox in $stale) {
    Set-Mailbox -Identity $mailbox.Identity -HiddenFromAddressListsEnabled $true
}
Disconnect-ExchangeOnline -Confirm:$false
